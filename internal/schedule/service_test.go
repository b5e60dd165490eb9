package schedule_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/schedule"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

func openApp(t *testing.T, db string) *app.App {
	t.Helper()
	a := apptest.Open(t, db, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	a.IntervalFloor = time.Second // the every-second connection needs the floor lowered
	return a
}

func slapdConn(s *slapd.Server, name, sched string) connection.Connection {
	return connection.Connection{Name: name, DNSName: "127.0.0.1", Port: s.Port, Security: connection.SecurityNone,
		Username: slapd.AdminDN, Password: slapd.AdminPassword, SearchPath: slapd.PeopleDN,
		SearchFilter: "(objectClass=inetOrgPerson)", Schedule: sched, TimeZone: "UTC", MinInterval: "1s"}
}

// TestTwoSchedulersOneStore runs two schedulers on one SQLite file: the
// every-minute connection runs once per firing, by itself, with the right
// last and next execution; the every-second connection never runs twice at
// once.
func TestTwoSchedulersOneStore(t *testing.T) {
	// Two directories whose users have different uids: the same users
	// under two connections would share userIds, which the second
	// connection's runs must refuse.
	s, s2 := slapd.Start(t, 3000, 0), slapd.StartLDIF(t, busyLDIF(50))
	db := filepath.Join(t.TempDir(), "usersync.db")
	a1, a2 := openApp(t, db), openApp(t, db)
	ctx := context.Background()
	for _, c := range []connection.Connection{slapdConn(s, "minutely", "* * * * *"), slapdConn(s2, "busy", "@every 1s")} {
		if _, _, err := a1.PutConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// The every-second connection has synced once already, so that its
	// scheduled runs are short and the firing below does not fall into a
	// first sync that holds the store's write lock for seconds.
	if _, err := a1.Sync(ctx, "busy", app.SyncOptions{Trigger: store.TriggerManual}); err != nil {
		t.Fatal(err)
	}
	// The schedulers' clock is set ahead so that the next minute turns two
	// seconds from now: the test does not wait for the real minute.
	realStart := time.Now()
	offset := realStart.Truncate(time.Minute).Add(time.Minute).Sub(realStart) - 2*time.Second
	if offset < 0 {
		offset += time.Minute
	}
	clock := func() time.Time { return time.Now().Add(offset) }
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, a := range []*app.App{a1, a2} {
		svc := &schedule.Service{Store: a.Store, Runs: a.Runs, Tick: 200 * time.Millisecond, Now: clock}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := svc.Run(runCtx); err != nil {
				t.Error(err)
			}
		}()
	}
	firing := clock().Truncate(time.Minute).Add(time.Minute)
	t.Logf("waiting for the every-minute firing at %s", firing.Format(time.TimeOnly))
	deadline := realStart.Add(30 * time.Second)
	var minutely []store.Run
	for time.Now().Before(deadline) {
		runs, err := a1.Store.ListRuns(ctx, store.RunQuery{Connection: "minutely"})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) > 0 && runs[0].Status != store.RunRunning {
			minutely = runs
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Let a duplicate show, if there were one, and give the every-second
	// connection time for five scheduled runs (more under the race
	// detector, where the every-minute sync holds the store for seconds).
	settled := time.Now().Add(2 * time.Second)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		busy, err := a1.Store.ListRuns(ctx, store.RunQuery{Connection: "busy"})
		if err != nil {
			t.Fatal(err)
		}
		if len(busy) >= 6 && time.Now().After(settled) {
			break
		}
	}
	infos, err := a1.Schedules(ctx, clock())
	if err != nil {
		t.Fatal(err)
	}
	stop()
	wg.Wait()

	if len(minutely) == 0 {
		t.Fatal("the every-minute schedule did not run by itself")
	}
	runs, _ := a1.Store.ListRuns(ctx, store.RunQuery{Connection: "minutely"})
	if len(runs) != 1 || runs[0].Trigger != store.TriggerSchedule || runs[0].Status != store.RunSucceeded || runs[0].Created != 3000 {
		t.Fatalf("every-minute runs = %+v, want exactly one succeeded scheduled run", runs)
	}
	if d := runs[0].StartedAt.Add(offset).Sub(firing); d < 0 || d > 2*time.Second {
		t.Fatalf("the run started at %s, %s after its firing at %s", runs[0].StartedAt, d, firing)
	}
	for _, i := range infos {
		if i.Connection != "minutely" {
			continue
		}
		if i.LastRun == nil || i.LastRun.ID != runs[0].ID {
			t.Fatalf("last run = %+v, want run %d", i.LastRun, runs[0].ID)
		}
		if i.NextRun == nil || !i.NextRun.Equal(firing.Add(time.Minute)) {
			t.Fatalf("next run = %v, want %v", i.NextRun, firing.Add(time.Minute))
		}
	}

	busy, _ := a1.Store.ListRuns(ctx, store.RunQuery{Connection: "busy"})
	if len(busy) < 5 {
		t.Fatalf("only %d runs of the every-second connection", len(busy))
	}
	sort.Slice(busy, func(i, j int) bool { return busy[i].StartedAt.Before(busy[j].StartedAt) })
	for i := 1; i < len(busy); i++ {
		prev := busy[i-1]
		if prev.FinishedAt == nil {
			t.Fatalf("run %d never finished: %+v", prev.ID, prev)
		}
		if busy[i].StartedAt.Before(*prev.FinishedAt) {
			t.Fatalf("runs %d and %d of one connection overlapped: %s < %s", prev.ID, busy[i].ID, busy[i].StartedAt, *prev.FinishedAt)
		}
	}
	t.Logf("%d runs of the every-second connection, none overlapping", len(busy))
}

// busyLDIF is a small directory whose uids (busy001, ...) no generated
// directory shares.
func busyLDIF(n int) []byte {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "dn: uid=busy%03d,%s\nobjectClass: inetOrgPerson\nuid: busy%03d\ncn: Busy %d\nsn: Busy\ndisplayName: Busy %d\n\n", i, slapd.PeopleDN, i, i, i)
	}
	return []byte(b.String())
}
