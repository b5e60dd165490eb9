// Package password holds the one password policy and hash of usersync, for
// local users and administrators alike: a new password has 12 to 256
// characters and is not a commonly used one; it is hashed with argon2id in
// the PHC string format. bcrypt hashes (older administrators, imports from
// other systems) are still accepted for verification, and NeedsRehash tells
// the caller to replace them at the next successful login.
package password

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

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

// MinLength and MaxLength bound a new password, in characters.
const (
	MinLength = 12
	MaxLength = 256
)

// Errors of Check, Hash and Verify.
var (
	// ErrTooShort means a new password is shorter than MinLength.
	ErrTooShort = fmt.Errorf("password: shorter than %d characters", MinLength)
	// ErrTooLong means a new password is longer than MaxLength.
	ErrTooLong = fmt.Errorf("password: longer than %d characters", MaxLength)
	// ErrCommon means a new password is in the list of commonly used ones.
	ErrCommon = errors.New("password: too common (it is in the list of frequently used passwords)")
	// ErrMismatch means the password does not match the hash.
	ErrMismatch = errors.New("password: does not match")
	// ErrUnknownFormat means the stored hash is neither argon2id nor bcrypt.
	ErrUnknownFormat = errors.New("password: unknown hash format")
)

// Hash returns the argon2id hash of pw in PHC format:
// $argon2id$v=19$m=19456,t=2,p=1$salt$key (base64 without padding).
// It refuses a password that Check refuses.
func Hash(pw string) (string, error) {
	if err := Check(pw); err != nil {
		return "", err
	}
	return Rehash(pw)
}

// Rehash returns the argon2id hash of a password that has just verified
// against an older hash (see NeedsRehash). It skips the policy, which
// applies to new passwords only: an existing account is never locked out
// by a stricter rule.
func Rehash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

//go:embed common.txt
var commonList string

// common is the set of frequently used passwords, lower-cased.
var common = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			m[strings.ToLower(w)] = true
		}
	}
	return m
})

// Check applies the policy for a new password: MinLength to MaxLength
// characters, and not a commonly used password (compared ignoring case).
func Check(pw string) error {
	switch n := len([]rune(pw)); {
	case n < MinLength:
		return ErrTooShort
	case n > MaxLength:
		return ErrTooLong
	case common()[strings.ToLower(pw)]:
		return ErrCommon
	}
	return nil
}

// NeedsRehash reports whether hash should be replaced by a new Hash of the
// same password after it verified: it is bcrypt, or argon2id with other
// parameters than Hash uses now.
func NeedsRehash(hash string) bool {
	return !strings.HasPrefix(hash, fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, memoryKiB, passes, lanes))
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
