package secret

import (
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
