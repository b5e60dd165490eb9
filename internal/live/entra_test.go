package live_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/live"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/entratest"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// Live mode on Entra: a change in the tenant is in usersync within 60
// seconds (the connection polls its delta link every pollSeconds), and
// polls that find nothing record no run.
func TestLiveEntraWithinAMinute(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	ann, err := g.PutUser(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := apptest.Open(t, "", slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	doc := entratest.Doc(g)
	doc["live"], doc["schedule"], doc["pollSeconds"] = true, "off", 10
	raw, _ := json.Marshal(doc)
	if _, _, err := a.ApplyConnection(ctx, raw); err != nil {
		t.Fatal(err)
	}
	f := &live.Follower{App: a, Log: a.Log}
	fctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.Follow(fctx, "entra") }()
	defer func() { stop(); <-done }()

	name := func() string {
		users, _ := a.Store.ListUsers(ctx, store.UserQuery{Connection: "entra"})
		for _, u := range users {
			if u.UserID == "ann@contoso.test" {
				return u.Fields["displayName"]
			}
		}
		return ""
	}
	waitFor(t, 60*time.Second, "first live run", func() bool { return name() == "Ann" })
	runs := func() int {
		rs, _ := a.Store.ListRuns(ctx, store.RunQuery{Connection: "entra"})
		return len(rs)
	}
	before := runs()

	if err := g.UpdateUser(ann, map[string]any{"displayName": "Ann Changed"}); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, 60*time.Second, "the change in usersync", func() bool { return name() == "Ann Changed" })
	t.Logf("an Entra change reached usersync in %s", took.Round(time.Millisecond))
	rs, _ := a.Store.ListRuns(ctx, store.RunQuery{Connection: "entra", Limit: 1})
	if len(rs) == 0 || rs[0].Trigger != store.TriggerLive || rs[0].Mode != store.ModeIncremental {
		t.Fatalf("the live run = %+v", rs)
	}
	// A quiet poll records nothing.
	n := runs()
	time.Sleep(11 * time.Second)
	if runs() != n || n != before+1 {
		t.Fatalf("runs: %d before the change, %d after it, %d after a quiet poll", before, n, runs())
	}
}
