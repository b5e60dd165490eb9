package schedule_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/schedule"
	"github.com/usersync/usersync/internal/testdir/apptest"
)

// TestScheduleTiming runs the scheduler on a real SQLite store in a
// synctest bubble, whose clock starts at midnight and advances only while
// every goroutine waits, so that minutes of schedule pass at once. Each
// firing starts its run within one tick; a run that outlasts firings is
// followed by one catch-up run for all of them, never by several, and a
// connection never runs twice at once.
func TestScheduleTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		a := apptest.Open(t, "", quiet)
		a.IntervalFloor = time.Second
		ctx := context.Background()
		took := map[string]time.Duration{"quick": 10 * time.Second, "slow": 150 * time.Second}
		for name := range took {
			c := connection.Connection{Name: name, DNSName: "127.0.0.1", Port: 389, Security: connection.SecurityNone,
				SearchPath: "ou=people,dc=example,dc=test", SearchFilter: "(objectClass=person)",
				Schedule: "* * * * *", TimeZone: "UTC", MinInterval: "1s"}
			if _, _, err := a.PutConnection(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		type span struct{ start, end time.Time }
		var mu sync.Mutex
		ran := map[string][]span{}
		a.Runs = app.NewRuns(func(ctx context.Context, name string, opts app.SyncOptions) (*reconcile.Report, error) {
			start := time.Now()
			select {
			case <-time.After(took[name]):
			case <-ctx.Done():
			}
			mu.Lock()
			ran[name] = append(ran[name], span{start, time.Now()})
			mu.Unlock()
			return nil, nil
		}, quiet)
		const tick = 200 * time.Millisecond
		svc := &schedule.Service{Store: a.Store, Runs: a.Runs, Tick: tick, Log: quiet}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := svc.Run(runCtx); err != nil {
				t.Error(err)
			}
		}()
		midnight := time.Now()
		time.Sleep(4*time.Minute + 30*time.Second)
		stop()
		<-done

		at := func(d time.Duration) time.Time { return midnight.Add(d) }
		for name, want := range map[string][]time.Time{
			"quick": {at(time.Minute), at(2 * time.Minute), at(3 * time.Minute), at(4 * time.Minute)},
			// 00:01 runs until 00:03:30; the firings of 00:02 and 00:03
			// collapse into one run when it ends.
			"slow": {at(time.Minute), at(3*time.Minute + 30*time.Second)},
		} {
			got := ran[name]
			if len(got) != len(want) {
				t.Fatalf("%s: %d runs %v, want starts %v", name, len(got), got, want)
			}
			for i, w := range want {
				if d := got[i].start.Sub(w); d < 0 || d > tick {
					t.Errorf("%s run %d started at %s, want within one tick of %s", name, i, got[i].start.Format(time.TimeOnly), w.Format(time.TimeOnly))
				}
				if i > 0 && got[i].start.Before(got[i-1].end) {
					t.Errorf("%s runs %d and %d overlap", name, i-1, i)
				}
			}
		}
	})
}
