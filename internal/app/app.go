// Package app is usersync's application layer: the operations the CLI and
// the REST API share (apply and check connections, run syncs, approve held
// runs), wired to the store, the secret box and the directory clients.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
)

// App holds what every operation needs.
type App struct {
	Store  store.Store
	Box    *secret.Box
	Log    *slog.Logger
	Engine *reconcile.Engine
	// Holder names this instance in run leases (see WithLease).
	Holder string
	// Runs is the registry of background runs that the web server and the
	// scheduler share.
	Runs *Runs
	// ForbidInsecure refuses to save, check or run a connection with an
	// insecure setting (connection.Connection.Insecure) instead of only
	// warning about it.
	ForbidInsecure bool
	// IntervalFloor is the server-wide minimum interval between scheduled
	// runs; zero means connection.DefaultIntervalFloor.
	IntervalFloor time.Duration
}

// MinIntervalFloor is IntervalFloor or its default.
func (a *App) MinIntervalFloor() time.Duration {
	if a.IntervalFloor > 0 {
		return a.IntervalFloor
	}
	return connection.DefaultIntervalFloor
}

// New wires an App to its store and secret box; the caller chose and
// opened both. A nil log means slog.Default().
func New(st store.Store, box *secret.Box, log *slog.Logger) *App {
	if log == nil {
		log = slog.Default()
	}
	a := &App{Store: st, Box: box, Log: log, Engine: &reconcile.Engine{Store: st, Log: log}, Holder: newHolderID()}
	a.Runs = NewRuns(a.Sync, log)
	return a
}

// Close closes the store.
func (a *App) Close() error { return a.Store.Close() }

// ErrUsage marks errors in what the caller asked for (as opposed to a
// failure of a directory or the store); the CLI exits 2 on them.
var ErrUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}
