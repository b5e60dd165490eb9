// Package app is usersync's application layer: the operations the CLI and
// the REST API share (apply and check connections, run syncs, approve held
// runs), wired to the store, the secret box and the directory clients.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/postgres"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// App holds what every operation needs.
type App struct {
	Store  store.Store
	Box    *secret.Box
	Log    *slog.Logger
	Engine *reconcile.Engine
	// Holder names this instance in run leases (see WithLease).
	Holder string
}

// DefaultDB is the store used when neither --db nor USERSYNC_DB is given.
const DefaultDB = "./usersync.db"

// IsPostgresURL reports whether db names a PostgreSQL database rather than
// a SQLite file.
func IsPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// DisplayDB is db as it may be printed or logged: a PostgreSQL URL with its
// password replaced by "xxxxx".
func DisplayDB(db string) string {
	if !IsPostgresURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

// Open opens the store named by db (a SQLite path, or a postgres:// or
// postgresql:// URL) and the secret key: from USERSYNC_SECRET_KEY, or the
// file USERSYNC_SECRET_KEY_FILE names, or else a key file (created with mode
// 0600 at first start) beside the SQLite database or, for PostgreSQL, at
// ~/.config/usersync/usersync.key.
func Open(ctx context.Context, db string, log *slog.Logger) (*App, error) {
	if db == "" {
		db = DefaultDB
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
	var st store.Store
	if IsPostgresURL(db) {
		st, err = postgres.Open(ctx, db)
	} else {
		st, err = sqlite.Open(ctx, db)
	}
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &App{Store: st, Box: box, Log: log, Engine: &reconcile.Engine{Store: st, Log: log}, Holder: newHolderID()}, nil
}

// defaultKeyFile is where the secret key lives when neither
// USERSYNC_SECRET_KEY nor USERSYNC_SECRET_KEY_FILE says: beside a SQLite
// database, and in the user's configuration directory for PostgreSQL, which
// has no directory of its own on this host.
func defaultKeyFile(db string) (string, error) {
	if !IsPostgresURL(db) {
		return filepath.Join(filepath.Dir(db), "usersync.key"), nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("app: no place for the secret key (set USERSYNC_SECRET_KEY or USERSYNC_SECRET_KEY_FILE): %w", err)
	}
	return filepath.Join(dir, "usersync", "usersync.key"), nil
}

// Close closes the store.
func (a *App) Close() error { return a.Store.Close() }

// ErrUsage marks errors in what the caller asked for (as opposed to a
// failure of a directory or the store); the CLI exits 2 on them.
var ErrUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}
