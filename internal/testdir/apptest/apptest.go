// Package apptest opens an app.App on a SQLite store for tests, the way the
// usersync command composes one: the store file at the given path (a fresh
// temporary one when the path is empty) and the secret key in a key file
// beside it, so that two Apps on the same path share the key.
package apptest

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/postgres"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// Open opens an App on the SQLite database db, or on PostgreSQL when db is
// a postgres:// URL, and closes it when the test ends. A nil log means
// slog.Default().
func Open(t testing.TB, db string, log *slog.Logger) *app.App {
	t.Helper()
	if db == "" {
		db = filepath.Join(t.TempDir(), "usersync.db")
	}
	t.Setenv(secret.EnvKey, "")
	keyDir := filepath.Dir(db)
	isPostgres := strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
	if isPostgres {
		keyDir = t.TempDir()
	}
	box, err := secret.Load(filepath.Join(keyDir, "usersync.key"))
	if err != nil {
		t.Fatalf("apptest: secret key: %v", err)
	}
	var st store.Store
	if isPostgres {
		st, err = postgres.Open(context.Background(), db)
	} else {
		st, err = sqlite.Open(context.Background(), db)
	}
	if err != nil {
		t.Fatalf("apptest: open the store: %v", err)
	}
	a := app.New(st, box, log)
	t.Cleanup(func() { a.Close() })
	return a
}
