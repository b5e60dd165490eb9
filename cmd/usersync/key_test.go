package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/secret"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// keyStores are the stores the secret key rules are checked on: a SQLite
// file and a PostgreSQL database.
func keyStores(t *testing.T) map[string]func(t *testing.T) string {
	t.Helper()
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "usersync.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t) },
	}
}

// sealedPassword opens the store with key and returns the connection's
// password as that key opens it.
func sealedPassword(t *testing.T, db, key, name string) (raw, plain string) {
	t.Helper()
	t.Setenv(secret.EnvKey, key)
	a, err := openApp(context.Background(), db, nil)
	if err != nil {
		t.Fatalf("open with key %q: %v", key, err)
	}
	defer a.Close()
	_, raw, err = a.Store.GetConnection(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err = a.Box.Open(raw); err != nil {
		t.Fatalf("connection %q: %v", name, err)
	}
	return raw, plain
}

func keyFile(t *testing.T, key string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "new.key")
	if err := os.WriteFile(p, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWrongSecretKeyIsRefused: a wrong USERSYNC_SECRET_KEY must not create a
// store sealed with two keys. Once a store is used with a key, every
// command under another key fails, naming USERSYNC_SECRET_KEY, and a new
// password applied under the wrong key is not stored; the connection still
// binds to a real slapd with the right key.
func TestWrongSecretKeyIsRefused(t *testing.T) {
	s := slapd.Start(t, 3, 0)
	for name, newDB := range keyStores(t) {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t)
			c.db = newDB(t)
			t.Setenv(secret.EnvKey, "right key")
			c.apply(connDoc(s))
			t.Setenv(secret.EnvKey, "wrong key")
			doc := connDoc(s)
			doc["password"] = "typed under the wrong key"
			for _, args := range [][]string{{"connection", "apply", "-f", writeJSONFile(t, doc)}, {"connection", "list"}, {"connection", "check", "corp"}} {
				out, code := c.run(args...)
				if code == 0 || !strings.Contains(out, "USERSYNC_SECRET_KEY") || !strings.Contains(out, "key rotate") {
					t.Errorf("%s under the wrong key: exit %d, %q; want a failure naming USERSYNC_SECRET_KEY and key rotate", strings.Join(args, " "), code, out)
				}
			}
			if _, plain := sealedPassword(t, c.db, "right key", "corp"); plain != slapd.AdminPassword {
				t.Fatalf("stored password is %q after an apply under the wrong key", plain)
			}
			if out, code := c.run("connection", "check", "corp"); code != 0 {
				t.Fatalf("check with the right key: %d %s", code, out)
			}
		})
	}
}

// TestUpgradedStoreChecksItsSealedValues: a store that holds sealed values
// but no key fingerprint yet (written by an older version) records the
// key's fingerprint only when that key opens every sealed value; a wrong key
// is refused, naming the value it cannot open.
func TestUpgradedStoreChecksItsSealedValues(t *testing.T) {
	for name, newDB := range keyStores(t) {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			old, _ := secret.New([]byte("old key"))
			st, err := openStore(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			sealed, _ := old.Seal("pw")
			if err := st.PutConnection(context.Background(), keyConn("corp"), sealed); err != nil {
				t.Fatal(err)
			}
			st.Close()
			t.Setenv(secret.EnvKey, "another key")
			if a, err := openApp(context.Background(), db, nil); err == nil {
				a.Close()
				t.Fatal("a key that cannot open the stored password was accepted")
			} else if !strings.Contains(err.Error(), `connection "corp" password`) || !strings.Contains(err.Error(), "USERSYNC_SECRET_KEY") {
				t.Fatalf("error %q does not name the value and the key's source", err)
			}
			if _, plain := sealedPassword(t, db, "old key", "corp"); plain != "pw" {
				t.Fatalf("password = %q", plain)
			}
			t.Setenv(secret.EnvKey, "another key")
			if a, err := openApp(context.Background(), db, nil); err == nil {
				a.Close()
				t.Fatal("after the old key was recorded, another key was accepted")
			}
		})
	}
}

// TestKeyRotate: `usersync key rotate` re-seals every secret under the new
// key (from --new-key-file or USERSYNC_NEW_SECRET_KEY) and records it; the
// old key is then refused and the new one binds to a real slapd. A value
// that cannot be opened fails the rotation, names the value and changes
// nothing. Bad new keys are refused with exit 2 before anything changes.
func TestKeyRotate(t *testing.T) {
	s := slapd.Start(t, 3, 0)
	for name, newDB := range keyStores(t) {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t)
			c.db = newDB(t)
			t.Setenv(secret.EnvKey, "key one")
			c.apply(connDoc(s))
			doc := connDoc(s)
			doc["name"] = "other"
			doc["password"] = "second secret"
			c.apply(doc)
			t.Setenv(envNewKey, "")
			for _, bad := range []struct {
				name string
				env  string
				args []string
			}{
				{"no new key", "", nil},
				{"the current key", "key one", nil},
				{"both a file and the environment", "key two", []string{"--new-key-file", keyFile(t, "key two")}},
				{"a world-readable file", "", []string{"--new-key-file", func() string { p := keyFile(t, "key two"); os.Chmod(p, 0o644); return p }()}},
				{"an empty file", "", []string{"--new-key-file", keyFile(t, "")}},
			} {
				t.Setenv(envNewKey, bad.env)
				if out, code := c.run(append([]string{"key", "rotate"}, bad.args...)...); code != exitUsage {
					t.Errorf("key rotate with %s: exit %d, %q; want %d", bad.name, code, out, exitUsage)
				}
			}
			t.Setenv(envNewKey, "")
			t.Setenv(secret.EnvKey, "key one")
			// A process still running with the old key, such as serve.
			running, err := openApp(context.Background(), c.db, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer running.Close()
			out, code := c.run("key", "rotate", "--new-key-file", keyFile(t, "key two"))
			if code != 0 || !strings.Contains(out, "re-sealed 2 secret(s)") {
				t.Fatalf("key rotate: %d %q", code, out)
			}
			if out, code := c.run("connection", "list"); code == 0 || !strings.Contains(out, "USERSYNC_SECRET_KEY") {
				t.Fatalf("the old key still opens the store after rotation: %d %q", code, out)
			}
			stale := keyConn("stale")
			stale.Password = "sealed under the old key"
			if _, _, err := running.PutConnection(context.Background(), stale); !errors.Is(err, app.ErrKeyMismatch) {
				t.Fatalf("a process with the old key sealed a password after rotation: %v, want ErrKeyMismatch", err)
			}
			t.Setenv(secret.EnvKey, "key two")
			if out, code := c.run("connection", "check", "corp"); code != 0 {
				t.Fatalf("check with the new key: %d %s", code, out)
			}
			if _, plain := sealedPassword(t, c.db, "key two", "other"); plain != "second secret" {
				t.Fatalf("other's password after rotation = %q", plain)
			}
			// Rotating again, from the environment, with one value that the
			// current key cannot open (a store an older version sealed with
			// two keys): nothing changes.
			stray, _ := secret.New([]byte("stray key"))
			bad, _ := stray.Seal("unreadable")
			st, err := openStore(context.Background(), c.db)
			if err != nil {
				t.Fatal(err)
			}
			if err = st.PutConnection(context.Background(), keyConn("mixed"), bad); err != nil {
				t.Fatal(err)
			}
			st.Close()
			before, _ := sealedPassword(t, c.db, "key two", "corp")
			t.Setenv(envNewKey, "key three")
			out, code = c.run("key", "rotate")
			if code == 0 || !strings.Contains(out, `connection "mixed" password`) || !strings.Contains(out, "nothing was re-sealed") {
				t.Fatalf("rotation over an unreadable value: %d %q", code, out)
			}
			if after, plain := sealedPassword(t, c.db, "key two", "corp"); after != before || plain != slapd.AdminPassword {
				t.Fatalf("a failed rotation changed corp's sealed password")
			}
			t.Setenv(secret.EnvKey, "key three")
			if a, err := openApp(context.Background(), c.db, nil); err == nil {
				a.Close()
				t.Fatal("a failed rotation recorded the new key")
			}
		})
	}
}

// keyConn is a minimal valid connection for tests that write the store
// directly.
func keyConn(name string) connection.Connection {
	c := connection.Connection{Name: name, DNSName: "127.0.0.1", SearchPath: "dc=example,dc=com", Username: "cn=admin"}
	c.ApplyDefaults()
	return c
}

// TestFirstSecretKeyWinsOnce: processes that open a new store at once with
// different keys never both record theirs: exactly one key is accepted and
// every other is refused with ErrKeyMismatch.
func TestFirstSecretKeyWinsOnce(t *testing.T) {
	for name, newDB := range keyStores(t) {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			const n = 4
			errs := make(chan error, n)
			for i := range n {
				go func() {
					st, err := openStore(context.Background(), db)
					if err != nil {
						errs <- err
						return
					}
					defer st.Close()
					box, _ := secret.New([]byte(fmt.Sprintf("key %d", i)))
					errs <- app.New(st, box, nil).CheckSecretKey(context.Background(), "test")
				}()
			}
			won := 0
			for range n {
				switch err := <-errs; {
				case err == nil:
					won++
				case !errors.Is(err, app.ErrKeyMismatch):
					t.Fatalf("CheckSecretKey: %v, want nil or ErrKeyMismatch", err)
				}
			}
			if won != 1 {
				t.Fatalf("%d keys accepted by one store, want exactly 1", won)
			}
		})
	}
}
