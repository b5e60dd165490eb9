package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/usersync/usersync/internal/connection"
)

// The database and its -wal and -shm files hold password hashes and
// personal data: only their owner may read them, even under a umask of 022,
// and files an older version left world-readable are tightened on open.
func TestStoreFilesAreOwnerOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "usersync.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnection(ctx, connection.Connection{Name: "corp"}, ""); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				if p == path {
					t.Fatal(err)
				}
				continue
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("%s: %s is %o, want 600", when, filepath.Base(p), perm)
			}
		}
	}
	check("new store")
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check("reopened store")
}
