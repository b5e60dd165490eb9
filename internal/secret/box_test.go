package secret

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"", "s3cret!", strings.Repeat("é", 300)} {
		sealed, err := b.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if plain != "" && strings.Contains(sealed, plain) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := b.Open(sealed)
		if err != nil || got != plain {
			t.Fatalf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
	}
	a, _ := b.Seal("same")
	c, _ := b.Seal("same")
	if a == c {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
}

func TestWrongKey(t *testing.T) {
	b1, _ := New([]byte("one"))
	b2, _ := New([]byte("two"))
	sealed, _ := b1.Seal("pw")
	if _, err := b2.Open(sealed); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("want ErrWrongKey, got %v", err)
	}
	if _, err := b1.Open("pw"); err == nil {
		t.Fatal("a clear value was accepted as sealed")
	}
}

func TestLoadCreatesKeyFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	path := filepath.Join(t.TempDir(), "sub", "usersync.key")
	b1, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	sealed, _ := b1.Seal("pw")
	b2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b2.Open(sealed); err != nil || got != "pw" {
		t.Fatalf("reloaded key cannot open: %q %v", got, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
}

func TestLoadFromEnv(t *testing.T) {
	t.Setenv(EnvKey, "from-env")
	path := filepath.Join(t.TempDir(), "never.key")
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a key file was created although the key came from the environment")
	}
}

// TestFingerprint: the fingerprint identifies a key without revealing it: the
// same key gives the same fingerprint, another key another, and neither the
// key nor its plain SHA-256 (which a guess could be checked against) appears.
func TestFingerprint(t *testing.T) {
	one, _ := New([]byte("one"))
	again, _ := New([]byte("one"))
	two, _ := New([]byte("two"))
	if one.Fingerprint() != again.Fingerprint() {
		t.Fatalf("one key, two fingerprints: %q, %q", one.Fingerprint(), again.Fingerprint())
	}
	if one.Fingerprint() == two.Fingerprint() {
		t.Fatal("two keys share a fingerprint")
	}
	plain := sha256.Sum256([]byte("one"))
	for _, leak := range []string{"one", hex.EncodeToString(plain[:])} {
		if strings.Contains(one.Fingerprint(), leak) {
			t.Fatalf("fingerprint %q contains %q", one.Fingerprint(), leak)
		}
	}
}

// TestLoadFile: a new key is read from an existing file only, with the same
// care as the key file: never created, never world-readable, never empty,
// and white space around the key is not part of it.
func TestLoadFile(t *testing.T) {
	t.Setenv(EnvKey, "from-env")
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.key", "new-key\n", 0o600)
	b, err := LoadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := New([]byte("new-key"))
	if b.Fingerprint() != want.Fingerprint() {
		t.Fatal("LoadFile did not use the file's key without its newline")
	}
	for name, path := range map[string]string{
		"missing":        filepath.Join(dir, "missing.key"),
		"world-readable": write("open.key", "k", 0o644),
		"empty":          write("empty.key", " \n", 0o600),
	} {
		if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s key file: err = %v, want an error naming %s", name, err, path)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("LoadFile created a key file")
	}
}
