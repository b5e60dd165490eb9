package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// TestVerifyRefusesBadBackups: restore checks a backup before it touches
// the target: a file that is not SQLite, a database that is not a usersync
// store, a damaged one and one from a newer usersync are refused with the
// cause, and the target is left as it was.
func TestVerifyRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := Open(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLocalUser(ctx, store.User{UserID: "alice", Status: store.StatusActive}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatalf("Backup over an existing file (the CLI asks for --force first): %v", err)
	}
	s.Close()
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode = %v, %v; want 0600 (it holds password hashes)", fi.Mode(), err)
	}

	write := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	raw, _ := os.ReadFile(backup)
	newer := filepath.Join(dir, "newer.db")
	copyTo(t, backup, newer)
	ns, err := open(ctx, newer, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ns.db.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (9999, ?)`, now()); err != nil {
		t.Fatal(err)
	}
	ns.Close()
	noSchema := filepath.Join(dir, "other.db")
	os2, err := open(ctx, noSchema, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os2.db.ExecContext(ctx, `DROP TABLE schema_migrations`); err != nil {
		t.Fatal(err)
	}
	os2.Close()

	tests := []struct {
		name, path, want string
	}{
		{"not SQLite", write("text.db", []byte(strings.Repeat("not a database\n", 400))), "not a SQLite database"},
		{"empty file", write("empty.db", nil), "not a usersync store"},
		{"missing", filepath.Join(dir, "nothing.db"), "no such file"},
		{"truncated", write("truncated.db", raw[:len(raw)/2]), "sqlite"},
		{"another database", noSchema, "not a usersync store"},
		{"newer usersync", newer, "newer than this usersync"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "target.db")
			err := Restore(ctx, tt.path, target, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Restore(%s) = %v, want an error containing %q", tt.name, err, tt.want)
			}
			if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused restore created the target: %v", err)
			}
		})
	}

	// A good backup restores into a new store, and not over one with data.
	target := filepath.Join(dir, "restored.db")
	if err := Restore(ctx, backup, target, false); err != nil {
		t.Fatal(err)
	}
	if err := Restore(ctx, backup, target, false); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Restore over a store with data = %v, want ErrNotEmpty", err)
	}
	if err := Restore(ctx, backup, target, true); err != nil {
		t.Fatalf("Restore --force: %v", err)
	}
	r, err := Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if users, err := r.FindUsers(ctx, "alice"); err != nil || len(users) != 1 {
		t.Fatalf("restored users = %+v, %v; want alice", users, err)
	}
}

// TestOpenRefusesNewerSchema: a store migrated by a newer usersync (a
// migration number above the newest this binary knows) is refused with a
// message naming both versions, and nothing in it changes.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	// Half-way: a store at version 5 with a later, unknown migration
	// recorded, so that an unaware binary would apply 6.. over it.
	old, err := open(ctx, path, 5)
	if err != nil {
		t.Fatal(err)
	}
	future := LatestVersion() + 1
	if _, err := old.db.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`, future, now()); err != nil {
		t.Fatal(err)
	}
	old.Close()
	_, err = Open(ctx, path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open(newer store) = %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{"version " + strconv.Itoa(future), "knows up to " + strconv.Itoa(LatestVersion())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	check, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	var n int
	if err := check.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version > 5 AND version < ?`, future).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d migrations were applied to the newer store (%v); want none", n, err)
	}
}

func copyTo(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
