package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store/postgres"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestOpenPostgres opens the app on a postgres:// and a postgresql:// URL;
// without USERSYNC_SECRET_KEY(_FILE) the key is created in the user's
// configuration directory, since the database has no directory here.
func TestOpenPostgres(t *testing.T) {
	url := pgtest.URL(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("USERSYNC_SECRET_KEY", "")
	t.Setenv("USERSYNC_SECRET_KEY_FILE", "")
	a, err := openApp(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Store.(*postgres.Store); !ok {
		t.Fatalf("store is %T, want *postgres.Store", a.Store)
	}
	sealed, err := a.Box.Seal("pw")
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if fi, err := os.Stat(filepath.Join(cfg, "usersync", "usersync.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	a, err = openApp(context.Background(), "postgresql://"+strings.TrimPrefix(url, "postgres://"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got, err := a.Box.Open(sealed); err != nil || got != "pw" {
		t.Fatalf("second instance reads the sealed password as %q, %v", got, err)
	}
}

func TestDisplayDBHidesPassword(t *testing.T) {
	for in, want := range map[string]string{
		"./usersync.db":                        "./usersync.db",
		"postgres://u:secret@db.test/usersync": "postgres://u:xxxxx@db.test/usersync",
		"postgresql://u@db.test/usersync":      "postgresql://u@db.test/usersync",
	} {
		if got := displayDB(in); got != want {
			t.Errorf("DisplayDB(%q) = %q, want %q", in, got, want)
		}
	}
}
