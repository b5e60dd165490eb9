package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/entratest"
	"github.com/usersync/usersync/internal/testdir/graph"
)

func applyEntra(t *testing.T, a *app.App, g *graph.Server, set map[string]any) {
	t.Helper()
	doc := entratest.Doc(g)
	for k, v := range set {
		doc[k] = v
	}
	raw, _ := json.Marshal(doc)
	if _, _, err := a.ApplyConnection(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
}

func entraUsers(t *testing.T, a *app.App) map[string]string {
	t.Helper()
	users, err := a.Store.ListUsers(context.Background(), store.UserQuery{Connection: "entra"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, u := range users {
		out[u.UserID] = u.Status
	}
	return out
}

// Graph's throttling answer (429 with Retry-After) is waited out, and the
// run's progress says it is waiting while it waits.
func TestEntraThrottleShownInProgress(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	if _, err := g.PutUser(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann"}); err != nil {
		t.Fatal(err)
	}
	a := apptest.Open(t, "", nil)
	applyEntra(t, a, g, nil)
	g.Throttle(1, 2*time.Second)
	var mu sync.Mutex
	var waiting []string
	start := time.Now()
	rep, err := a.Sync(context.Background(), "entra", app.SyncOptions{Progress: func(r store.Run) {
		mu.Lock()
		defer mu.Unlock()
		for _, w := range r.Warnings {
			if strings.Contains(w, "waiting") {
				waiting = append(waiting, w)
			}
		}
	}})
	if err != nil || rep.Created != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
	if time.Since(start) < 2*time.Second {
		t.Errorf("Retry-After was not waited out: %s", time.Since(start))
	}
	if len(waiting) == 0 || !strings.Contains(waiting[0], "waiting 2s") || !strings.Contains(waiting[0], "429") {
		t.Fatalf("progress did not show the wait: %q", waiting)
	}
}

// identityMode upn: a changed userPrincipalName is a new application user
// (the old one is deactivated); in the default anchor mode the same user
// is renamed.
func TestEntraUPNChange(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want map[string]string
	}{
		{"anchor", map[string]string{"ann.new@contoso.test": store.StatusActive}},
		{"upn", map[string]string{"ann@contoso.test": store.StatusInactive, "ann.new@contoso.test": store.StatusActive}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			g := entratest.Start(t, graph.Options{})
			id, err := g.PutUser(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann"})
			if err != nil {
				t.Fatal(err)
			}
			a := apptest.Open(t, "", nil)
			applyEntra(t, a, g, map[string]any{"identityMode": tc.mode})
			ctx := context.Background()
			if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := g.UpdateUser(id, map[string]any{"userPrincipalName": "ann.new@contoso.test"}); err != nil {
				t.Fatal(err)
			}
			rep, err := a.Sync(ctx, "entra", app.SyncOptions{})
			if err != nil || rep.Mode != store.ModeIncremental {
				t.Fatalf("%v %+v", err, rep)
			}
			got := entraUsers(t, a)
			if len(got) != len(tc.want) {
				t.Fatalf("users = %v, want %v", got, tc.want)
			}
			for u, st := range tc.want {
				if got[u] != st {
					t.Errorf("%s is %q, want %q (all: %v)", u, got[u], st, got)
				}
			}
		})
	}
}

// The manager maps as the manager's user ID (userPrincipalName), in a full
// read whatever the order of the users, and in incremental reads both when
// the manager changes and when only another property does.
func TestEntraManagerAsUserID(t *testing.T) {
	g := entratest.Start(t, graph.Options{PageSize: 2})
	// Ann comes first, before her manager is read.
	const boss = "7d1c0a9e-0000-4000-8000-00000000b055"
	ann, err := g.PutUser(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutUser(graph.User{ID: boss, UserPrincipalName: "zoe.boss@contoso.test", DisplayName: "Zoe"}); err != nil {
		t.Fatal(err)
	}
	if err := g.UpdateUser(ann, map[string]any{"manager": boss}); err != nil {
		t.Fatal(err)
	}
	other, err := g.PutUser(graph.User{UserPrincipalName: "yan.boss@contoso.test", DisplayName: "Yan"})
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.Open(t, "", nil)
	applyEntra(t, a, g, map[string]any{"pageSize": 1, "mappings": []map[string]any{
		{"source": "userPrincipalName", "target": "userId"},
		{"source": "displayName", "target": "displayName"},
		{"source": "manager", "target": "manager"},
	}})
	ctx := context.Background()
	manager := func() string {
		users, _ := a.Store.ListUsers(ctx, store.UserQuery{Connection: "entra"})
		for _, u := range users {
			if u.UserID == "ann@contoso.test" {
				return u.Fields["manager"]
			}
		}
		return "(no ann)"
	}
	for i, step := range []struct {
		change func() error
		want   string
	}{
		{func() error { return nil }, "zoe.boss@contoso.test"},
		{func() error { return g.UpdateUser(ann, map[string]any{"displayName": "Ann B."}) }, "zoe.boss@contoso.test"},
		{func() error { return g.UpdateUser(ann, map[string]any{"manager": other}) }, "yan.boss@contoso.test"},
	} {
		if err := step.change(); err != nil {
			t.Fatal(err)
		}
		if rep, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
			t.Fatalf("step %d: %v %+v", i, err, rep)
		}
		if got := manager(); got != step.want {
			t.Fatalf("step %d: manager = %q, want %q", i, got, step.want)
		}
	}
}

// A stored client secret is only ever sent to the tenant and endpoints it
// was entered for: pointing the connection elsewhere needs it again, and
// an edit that keeps them keeps it.
func TestEntraSecretStaysWithItsTenant(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	a := apptest.Open(t, "", nil)
	applyEntra(t, a, g, nil)
	doc := entratest.Doc(g)
	delete(doc, "clientSecret")
	doc["friendlyName"] = "renamed"
	raw, _ := json.Marshal(doc)
	if _, _, err := a.ApplyConnection(context.Background(), raw); err != nil {
		t.Fatalf("an edit without the secret: %v", err)
	}
	if _, err := a.CheckConnection(context.Background(), "entra"); err != nil {
		t.Fatalf("the kept secret does not sign in: %v", err)
	}
	doc["graphURL"] = "https://graph.example.test"
	raw, _ = json.Marshal(doc)
	_, _, err := a.ApplyConnection(context.Background(), raw)
	if err == nil || !strings.Contains(err.Error(), "clientSecret") || !strings.Contains(err.Error(), "graphURL") {
		t.Fatalf("err = %v", err)
	}
}
