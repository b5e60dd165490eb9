// Package secret encrypts values that must never be stored or shown in clear:
// bind passwords and tokens, which are sealed at rest, never returned by the
// API and never logged.
//
// A Box seals values with AES-256-GCM under a key that comes from the
// USERSYNC_SECRET_KEY environment variable or from a key file that is created
// with mode 0600 the first time usersync starts.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvKey names the environment variable that may hold the key.
const EnvKey = "USERSYNC_SECRET_KEY"

// sealedPrefix marks a sealed value so that a value stored in clear by mistake
// is never taken for ciphertext, and the format can change later.
const sealedPrefix = "v1:"

// ErrWrongKey means a sealed value cannot be opened with this key: the key
// changed, or the value was tampered with.
var ErrWrongKey = errors.New("secret: cannot decrypt with this key (was USERSYNC_SECRET_KEY or the key file changed?)")

// Box seals and opens secrets. The zero value is not usable; use New or Load.
type Box struct {
	aead        cipher.AEAD
	fingerprint string
}

// fingerprintLabel is the fixed message whose HMAC under the key identifies
// the key. An HMAC, unlike a plain hash of the key, cannot be tested against
// guessed keys without the key itself being the HMAC key, and it reveals
// nothing about the key.
const fingerprintLabel = "usersync secret key fingerprint v1"

// New returns a Box for key material of any length: it is hashed with SHA-256
// so that a passphrase in an environment variable works as well as 32 random
// bytes.
func New(key []byte) (*Box, error) {
	if len(key) == 0 {
		return nil, errors.New("secret: empty key")
	}
	sum := sha256.Sum256(key)
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(fingerprintLabel))
	return &Box{aead: aead, fingerprint: "hmac-sha256:" + hex.EncodeToString(mac.Sum(nil))}, nil
}

// Fingerprint identifies the key: the HMAC-SHA256 of a fixed label under the
// key. The store records it, so that a store is never sealed with two keys.
func (b *Box) Fingerprint() string { return b.fingerprint }

// Load returns a Box whose key comes from USERSYNC_SECRET_KEY when it is set,
// and otherwise from keyFile, which is created with 32 random bytes and mode
// 0600 when it does not exist yet.
func Load(keyFile string) (*Box, error) {
	if v := os.Getenv(EnvKey); v != "" {
		return New([]byte(v))
	}
	key, err := os.ReadFile(keyFile)
	if errors.Is(err, os.ErrNotExist) {
		key, err = createKeyFile(keyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: key file %s: %w", keyFile, err)
	}
	return fromFile(keyFile, key)
}

// LoadFile returns a Box whose key is the content of keyFile, which must
// exist and be readable by its owner only; unlike Load it never creates the
// file and ignores USERSYNC_SECRET_KEY.
func LoadFile(keyFile string) (*Box, error) {
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("secret: key file %s: %w", keyFile, err)
	}
	return fromFile(keyFile, key)
}

// fromFile checks the key file's mode and makes a Box of its content,
// without surrounding white space.
func fromFile(keyFile string, key []byte) (*Box, error) {
	if fi, err := os.Stat(keyFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s is readable by others (mode %v); chmod 600 it", keyFile, fi.Mode().Perm())
	}
	key = []byte(strings.TrimSpace(string(key)))
	if len(key) == 0 {
		return nil, fmt.Errorf("secret: key file %s is empty", keyFile)
	}
	return New(key)
}

func createKeyFile(path string) ([]byte, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := []byte(base64.StdEncoding.EncodeToString(raw))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(append(key, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// Seal encrypts plaintext. The empty string seals to the empty string, so that
// "no password" stays visible as such.
func (b *Box) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: nonce: %w", err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value produced by Seal.
func (b *Box) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("secret: value is not sealed")
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrWrongKey
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}
