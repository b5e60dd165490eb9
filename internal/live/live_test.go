package live_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/live"
	"github.com/usersync/usersync/internal/ops"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

func userByID(t *testing.T, a *app.App, userID string) (store.User, bool) {
	t.Helper()
	users, err := a.Store.ListUsers(context.Background(), store.UserQuery{Connection: "corp", Search: userID})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.UserID == userID {
			return u, true
		}
	}
	return store.User{}, false
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s", what, limit)
	return 0
}

// TestLiveLatency follows a slapd with syncrepl and measures how long a
// modification takes to reach the store.
func TestLiveLatency(t *testing.T) {
	const n = 1000
	s := slapd.Start(t, n, 0)
	ctx := context.Background()
	a := apptest.Open(t, "", slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c := connection.Connection{Name: "corp", DNSName: "127.0.0.1", Port: s.Port, Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off", Live: true}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	metrics := &ops.Metrics{Source: a.Store}
	f := &live.Follower{App: a, Metrics: metrics, Log: a.Log}
	fctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.Follow(fctx, "corp") }()
	defer func() { stop(); <-done }()

	// The refresh phase (no cookie yet) brings every user in.
	waitFor(t, 60*time.Second, "initial refresh", func() bool {
		counts, _ := a.Store.UserCounts(ctx)
		return len(counts) == 1 && counts[0].Users == n
	})
	waitFor(t, 10*time.Second, "cookie saved", func() bool {
		tok, _ := a.Store.ChangeToken(ctx, "corp")
		return tok != ""
	})

	l, err := ldapv3.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	var worst time.Duration
	for i := 1; i <= 5; i++ {
		uid := slapd.UID(i * 17)
		mail := fmt.Sprintf("live%d@example.org", i)
		m := ldapv3.NewModifyRequest(slapd.UserDN(i*17), nil)
		m.Replace("mail", []string{mail})
		start := time.Now()
		if err := l.Modify(m); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "modification visible", func() bool {
			u, ok := userByID(t, a, uid)
			return ok && u.Fields[store.FieldEmail] == mail
		})
		lat := time.Since(start)
		worst = max(worst, lat)
		t.Logf("live mode latency, modify %d: %s", i, lat.Round(time.Millisecond))
	}
	fmt.Printf("live mode latency: worst of 5 modifications among %d users: %s\n", n, worst.Round(time.Millisecond))

	// A delete arrives as an entryUUID and deactivates the user.
	start := time.Now()
	if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(3), nil)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "deletion visible", func() bool {
		u, ok := userByID(t, a, slapd.UID(3))
		return ok && u.Status == store.StatusInactive
	})
	t.Logf("live mode latency, delete: %s", time.Since(start).Round(time.Millisecond))

	// Every change is in the run history, as live incremental runs.
	outs, err := a.Store.FindOutcomes(ctx, "corp", slapd.UID(3), 1)
	if err != nil || len(outs) != 1 || outs[0].Action != store.ActionDeactivated {
		t.Fatalf("outcome of the delete = %+v, %v", outs, err)
	}
	// The run record is finished a moment after its changes are visible
	// (the group phase runs last).
	var run store.Run
	waitFor(t, 5*time.Second, "run of the delete finished", func() bool {
		run, _ = a.Store.GetRun(ctx, outs[0].RunID)
		return run.Status != store.RunRunning
	})
	if run.Trigger != store.TriggerLive || run.Mode != store.ModeIncremental || run.Status != store.RunSucceeded {
		t.Fatalf("run of the delete = %+v", run)
	}
	outs, _ = a.Store.FindOutcomes(ctx, "corp", slapd.UID(17), 1)
	if len(outs) != 1 || outs[0].Action != store.ActionUpdated || len(outs[0].Changes) != 1 || outs[0].Changes[0].New != "live1@example.org" {
		t.Fatalf("outcome of the modification = %+v", outs)
	}

	// Live mode saves its cookie in the form runs use: with live mode
	// stopped, the next run continues from it and reads only what changed.
	stop()
	<-done
	m := ldapv3.NewModifyRequest(slapd.UserDN(40), nil)
	m.Replace("mail", []string{"after-live@example.org"})
	if err := l.Modify(m); err != nil {
		t.Fatal(err)
	}
	rep, err := a.Sync(ctx, "corp", app.SyncOptions{})
	if err != nil || rep.Mode != store.ModeIncremental || rep.Updated != 1 || rep.EntriesRead != 1 {
		t.Fatalf("run after live mode: %v %+v", err, rep.Run)
	}
}
