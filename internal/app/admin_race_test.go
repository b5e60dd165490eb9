package app_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/usersync/usersync/internal/store/sqlite"
	"github.com/usersync/usersync/internal/testdir/apptest"
)

// uncountedAdmins hides the administrators from CountAdmins, as a second
// instance sees the store when both start at once: both count none, both
// create "admin", and one of the two inserts finds the other's row.
type uncountedAdmins struct{ *sqlite.Store }

func (uncountedAdmins) CountAdmins(context.Context) (int, error) { return 0, nil }

// Two instances starting together on one store must both start: the one
// whose first-run administrator loses the race uses the other's.
func TestEnsureAdminRacingInstance(t *testing.T) {
	ctx := context.Background()
	a := apptest.Open(t, filepath.Join(t.TempDir(), "s.db"), nil)
	if created, err := a.EnsureAdmin(ctx, "", io.Discard); err != nil || !created {
		t.Fatalf("first instance: created %v, %v", created, err)
	}
	a.Store = uncountedAdmins{a.Store.(*sqlite.Store)}
	created, err := a.EnsureAdmin(ctx, "", io.Discard)
	if err != nil || created {
		t.Fatalf("second instance: created %v, %v; want false, nil", created, err)
	}
}
