package app_test

import (
	"context"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/entratest"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// Microsoft's docs: a deleted user stays in deleted items, restorable, for
// 30 days; the issue: a soft delete deactivates and only a permanent delete
// gets the leave policy. A full run, which sees neither, asks Graph's
// deleted items, so under leavePolicy delete the soft-deleted user is only
// deactivated (an inactive one is left alone) and the purged one deleted.
func TestEntraFullRunSparesSoftDeletedUsers(t *testing.T) {
	for _, full := range []bool{true, false} {
		name := map[bool]string{true: "full", false: "incremental"}[full]
		t.Run(name, func(t *testing.T) {
			g := entratest.Start(t, graph.Options{})
			ids := map[string]string{}
			for _, u := range []string{"ann", "bob", "carol", "dave"} {
				id, err := g.PutUser(graph.User{UserPrincipalName: u + "@contoso.test", DisplayName: u})
				if err != nil {
					t.Fatal(err)
				}
				ids[u] = id
			}
			a := apptest.Open(t, "", nil)
			applyEntra(t, a, g, map[string]any{"leavePolicy": map[string]any{"action": "delete"}, "deletionGuard": map[string]any{"disabled": true}})
			ctx := context.Background()
			if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
				t.Fatal(err)
			}
			// dave is disabled first, so he is inactive when he is soft-deleted.
			if err := g.UpdateUser(ids["dave"], map[string]any{"accountEnabled": false}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := g.DeleteUser(ids["bob"]); err != nil {
				t.Fatal(err)
			}
			if err := g.DeleteUser(ids["dave"]); err != nil {
				t.Fatal(err)
			}
			if err := g.PurgeUser(ids["carol"]); err != nil {
				t.Fatal(err)
			}
			rep, err := a.Sync(ctx, "entra", app.SyncOptions{Full: full})
			if err != nil || rep.Status != "succeeded" {
				t.Fatalf("%v %+v", err, rep)
			}
			want := map[string]string{"ann@contoso.test": store.StatusActive, "bob@contoso.test": store.StatusInactive, "dave@contoso.test": store.StatusInactive}
			got := entraUsers(t, a)
			if len(got) != len(want) {
				t.Errorf("users = %v, want %v (carol, purged, deleted)", got, want)
			}
			for u, st := range want {
				if got[u] != st {
					t.Errorf("%s is %q, want %q (all: %v)", u, got[u], st, got)
				}
			}
		})
	}
}
