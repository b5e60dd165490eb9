// Package password hashes and verifies the passwords of local users:
// argon2id for new hashes, in the PHC string format, and bcrypt hashes
// accepted for verification (imported from other systems).
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane), which keeps a verification near 30 ms.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// MinLength is the shortest password Hash accepts.
const MinLength = 8

// Errors of Hash and Verify.
var (
	// ErrTooShort means a new password is shorter than MinLength.
	ErrTooShort = fmt.Errorf("password: shorter than %d characters", MinLength)
	// ErrMismatch means the password does not match the hash.
	ErrMismatch = errors.New("password: does not match")
	// ErrUnknownFormat means the stored hash is neither argon2id nor bcrypt.
	ErrUnknownFormat = errors.New("password: unknown hash format")
)

// Hash returns the argon2id hash of pw in PHC format:
// $argon2id$v=19$m=19456,t=2,p=1$salt$key (base64 without padding).
func Hash(pw string) (string, error) {
	if len([]rune(pw)) < MinLength {
		return "", ErrTooShort
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify returns nil when pw matches hash, ErrMismatch when it does not,
// and another error when hash cannot be read.
func Verify(hash, pw string) error {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		return verifyArgon2id(hash, pw)
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return ErrMismatch
		}
		if err != nil {
			return fmt.Errorf("password: bcrypt: %w", err)
		}
		return nil
	}
	return ErrUnknownFormat
}

func verifyArgon2id(hash, pw string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 {
		return fmt.Errorf("%w: malformed argon2id hash", ErrUnknownFormat)
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return fmt.Errorf("%w: argon2id version %q", ErrUnknownFormat, parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return fmt.Errorf("%w: argon2id parameters %q", ErrUnknownFormat, parts[3])
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("%w: argon2id salt: %v", ErrUnknownFormat, err)
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return fmt.Errorf("%w: argon2id key", ErrUnknownFormat)
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}
