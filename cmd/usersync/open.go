package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/postgres"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// defaultDB is the store used when neither --db nor USERSYNC_DB is given.
const defaultDB = "./usersync.db"

// isPostgresURL reports whether db names a PostgreSQL database rather than
// a SQLite file.
func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// displayDB is db as it may be printed or logged: a PostgreSQL URL with its
// password replaced by "xxxxx".
func displayDB(db string) string {
	if !isPostgresURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

// openApp opens the store named by db (a SQLite path, or a postgres:// or
// postgresql:// URL) and the secret key: from USERSYNC_SECRET_KEY, or the
// file USERSYNC_SECRET_KEY_FILE names, or else a key file (created with mode
// 0600 at first start) beside the SQLite database or, for PostgreSQL, at
// ~/.config/usersync/usersync.key.
func openApp(ctx context.Context, db string, log *slog.Logger) (*app.App, error) {
	if db == "" {
		db = defaultDB
	}
	keyFile := os.Getenv("USERSYNC_SECRET_KEY_FILE")
	if keyFile == "" && os.Getenv(secret.EnvKey) == "" {
		var err error
		if keyFile, err = defaultKeyFile(db); err != nil {
			return nil, err
		}
	}
	box, err := secret.Load(keyFile)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return nil, err
	}
	a := app.New(st, box, log)
	if err := a.CheckSecretKey(ctx, keySource(keyFile)); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// keySource says where the secret key came from, for error messages.
func keySource(keyFile string) string {
	if os.Getenv(secret.EnvKey) != "" {
		return secret.EnvKey
	}
	return "the key file " + keyFile
}

// openStore opens PostgreSQL for a postgres:// or postgresql:// URL and
// SQLite for anything else.
func openStore(ctx context.Context, db string) (store.Store, error) {
	if isPostgresURL(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

// defaultKeyFile is where the secret key lives when neither
// USERSYNC_SECRET_KEY nor USERSYNC_SECRET_KEY_FILE says: beside a SQLite
// database, and in the user's configuration directory for PostgreSQL, which
// has no directory of its own on this host.
func defaultKeyFile(db string) (string, error) {
	if !isPostgresURL(db) {
		return filepath.Join(filepath.Dir(db), "usersync.key"), nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("usersync: no place for the secret key (set USERSYNC_SECRET_KEY or USERSYNC_SECRET_KEY_FILE): %w", err)
	}
	return filepath.Join(dir, "usersync", "usersync.key"), nil
}
