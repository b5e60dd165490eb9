package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestDeleteConnectionRefusedWhileRunning: a connection is never deleted
// under a run of it. While another instance holds the connection's run
// lease, deleting it fails naming the holder and the connection stays; once
// the lease is released the delete succeeds; an unknown name is not found.
// On SQLite and PostgreSQL.
func TestDeleteConnectionRefusedWhileRunning(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "usersync.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, db := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := apptest.Open(t, db(t), nil)
			c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap"}
			if err := a.Store.PutConnection(ctx, c, ""); err != nil {
				t.Fatalf("put connection: %v", err)
			}
			const other = "other-host/pid 1/run 1"
			if _, err := a.Store.AcquireLease(ctx, "corp", other, time.Minute); err != nil {
				t.Fatalf("acquire lease: %v", err)
			}

			err := a.DeleteConnection(ctx, "corp")
			var held *store.LeaseHeldError
			if !errors.As(err, &held) || held.Lease.Holder != other {
				t.Fatalf("delete while running = %v, want a *store.LeaseHeldError naming %q", err, other)
			}
			if _, _, err := a.Store.GetConnection(ctx, "corp"); err != nil {
				t.Fatalf("connection gone after a refused delete: %v", err)
			}

			if err := a.Store.ReleaseLease(ctx, "corp", other); err != nil {
				t.Fatalf("release lease: %v", err)
			}
			if err := a.DeleteConnection(ctx, "corp"); err != nil {
				t.Fatalf("delete after the run ended: %v", err)
			}
			if _, _, err := a.Store.GetConnection(ctx, "corp"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("get after delete = %v, want ErrNotFound", err)
			}
			if err := a.DeleteConnection(ctx, "corp"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("delete of an unknown connection = %v, want ErrNotFound", err)
			}
		})
	}
}
