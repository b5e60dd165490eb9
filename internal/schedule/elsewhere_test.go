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

// While another instance runs a connection (it holds the run lease), this
// instance neither takes the connection's run request nor claims its due
// firing: both wait, and run once the other instance's run has ended, as
// they do for a run of this instance. Taken while the lease is held, the
// run would be refused and the request or firing lost.
func TestRunningElsewhereWaits(t *testing.T) {
	for _, tc := range []struct {
		name     string
		schedule string
		request  bool
	}{
		{name: "run request", request: true},
		{name: "due firing", schedule: "@every 1m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
				a := apptest.Open(t, "", quiet)
				a.IntervalFloor = time.Minute
				ctx := context.Background()
				c := connection.Connection{Name: "corp", DNSName: "127.0.0.1", Port: 389, Security: connection.SecurityNone,
					SearchPath: "ou=people,dc=example,dc=test", SearchFilter: "(objectClass=person)",
					Schedule: tc.schedule, TimeZone: "UTC", MinInterval: "1m"}
				if _, _, err := a.PutConnection(ctx, c); err != nil {
					t.Fatal(err)
				}
				// The other instance's run holds the lease for 90 seconds,
				// past the first firing a minute from now.
				if _, err := a.Store.AcquireLease(ctx, "corp", "other instance", 90*time.Second); err != nil {
					t.Fatal(err)
				}
				if tc.request {
					if err := a.Store.RequestRun(ctx, "corp", true); err != nil {
						t.Fatal(err)
					}
				}
				// This instance's runs take the lease as real runs do, and
				// count only when they get it.
				var mu sync.Mutex
				var ran, refused int
				a.Runs = app.NewRuns(func(ctx context.Context, name string, opts app.SyncOptions) (*reconcile.Report, error) {
					_, err := a.Store.AcquireLease(ctx, name, "this instance", time.Minute)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						refused++
						return nil, err
					}
					ran++
					return nil, a.Store.ReleaseLease(ctx, name, "this instance")
				}, quiet)
				svc := &schedule.Service{Store: a.Store, Runs: a.Runs, Tick: 200 * time.Millisecond, Log: quiet}
				runCtx, stop := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() {
					defer close(done)
					_ = svc.Run(runCtx)
				}()
				time.Sleep(85 * time.Second)
				mu.Lock()
				if ran != 0 || refused != 0 {
					t.Errorf("while the lease was held elsewhere: %d runs, %d refused, want none started", ran, refused)
				}
				mu.Unlock()
				if err := a.Store.ReleaseLease(ctx, "corp", "other instance"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * time.Second)
				stop()
				<-done
				if ran != 1 || refused != 0 {
					t.Errorf("after the other run ended: %d runs, %d refused, want the waiting one run once", ran, refused)
				}
				st, err := a.Store.GetScheduleState(ctx, "corp")
				if err != nil {
					t.Fatal(err)
				}
				if st.RunRequestedAt != nil {
					t.Errorf("the run request is still pending after its run")
				}
				if !tc.request && (st.LastFire == nil || !st.LastFire.Equal(time.Date(2000, 1, 1, 0, 1, 0, 0, time.UTC))) {
					t.Errorf("last firing = %v, want the first minute's", st.LastFire)
				}
			})
		})
	}
}
