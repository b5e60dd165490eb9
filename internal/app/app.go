// Package app is usersync's application layer: the operations the CLI and
// the REST API share (apply and check connections, run syncs, approve held
// runs), wired to the store, the secret box and the directory clients.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
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

// Open opens the store named by db (a SQLite path) and the secret key: from
// USERSYNC_SECRET_KEY, or a key file beside the database (created with mode
// 0600 at first start), or the file USERSYNC_SECRET_KEY_FILE names.
func Open(ctx context.Context, db string, log *slog.Logger) (*App, error) {
	if db == "" {
		db = DefaultDB
	}
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return nil, errors.New("app: the PostgreSQL store is not built yet; use a SQLite path")
	}
	keyFile := os.Getenv("USERSYNC_SECRET_KEY_FILE")
	if keyFile == "" {
		keyFile = filepath.Join(filepath.Dir(db), "usersync.key")
	}
	box, err := secret.Load(keyFile)
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &App{Store: st, Box: box, Log: log, Engine: &reconcile.Engine{Store: st, Log: log}, Holder: newHolderID()}, nil
}

// Close closes the store.
func (a *App) Close() error { return a.Store.Close() }

// ErrUsage marks errors in what the caller asked for (as opposed to a
// failure of a directory or the store); the CLI exits 2 on them.
var ErrUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}
