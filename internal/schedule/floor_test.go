package schedule_test

import (
	"context"
	"errors"
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

// The server-wide minimum interval holds at run time too: a connection
// stored with an every-second schedule (under a lower floor, or before the
// floor existed) runs at most once per floor interval.
func TestScheduleFloorHoldsForStoredConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		a := apptest.Open(t, "", quiet)
		a.IntervalFloor = time.Second
		ctx := context.Background()
		c := connection.Connection{Name: "busy", DNSName: "127.0.0.1", Port: 389, Security: connection.SecurityNone,
			SearchPath: "ou=people,dc=example,dc=test", SearchFilter: "(objectClass=person)",
			Schedule: "@every 1s", TimeZone: "UTC", MinInterval: "1s"}
		if _, _, err := a.PutConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var starts []time.Time
		a.Runs = app.NewRuns(func(ctx context.Context, name string, opts app.SyncOptions) (*reconcile.Report, error) {
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			return nil, nil
		}, quiet)
		svc := &schedule.Service{Store: a.Store, Runs: a.Runs, Tick: 200 * time.Millisecond, Log: quiet, MinInterval: time.Minute}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = svc.Run(runCtx)
		}()
		time.Sleep(3*time.Minute + 30*time.Second)
		stop()
		<-done
		if len(starts) < 2 || len(starts) > 4 {
			t.Fatalf("%d runs in 3.5 minutes under a one-minute floor, want 2 to 4: %v", len(starts), starts)
		}
		for i := 1; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-1]); gap < time.Minute {
				t.Errorf("runs %d and %d only %s apart", i-1, i, gap)
			}
		}
	})
}

// A connection's minInterval below the server's floor is refused, naming
// the field; the operator may lower the floor.
func TestMinIntervalBelowFloorIsRefused(t *testing.T) {
	a := apptest.Open(t, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	put := func(minInterval, sched string) error {
		_, _, err := a.PutConnection(ctx, connection.Connection{Name: "c", DNSName: "127.0.0.1", SearchPath: "dc=x",
			Schedule: sched, MinInterval: minInterval})
		return err
	}
	for _, tc := range []struct {
		floor             time.Duration
		minInterval, spec string
		refused           bool
	}{
		{0, "1ms", "@every 1s", true},
		{0, "30s", "@every 30s", true},
		{0, "1m", "@every 1m", false},
		{0, "", "", false},
		{time.Second, "1s", "@every 1s", false},
		{time.Second, "1ms", "", true},
	} {
		a.IntervalFloor = tc.floor
		err := put(tc.minInterval, tc.spec)
		var ve *connection.ValidationError
		if tc.refused != (err != nil) || (err != nil && (!asValidation(err, &ve) || ve.Problems[0].Field != "minInterval")) {
			t.Errorf("floor %s, minInterval %q: %v, want refused=%v naming minInterval", tc.floor, tc.minInterval, err, tc.refused)
		}
	}
}

func asValidation(err error, ve **connection.ValidationError) bool { return errors.As(err, ve) }
