package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/schedule"
	"github.com/usersync/usersync/internal/store"
)

// blockingSync is a stand-in sync that records its run and then waits for
// its context, as a real sync reading a large directory does.
func blockingSync(st store.Store) app.SyncFunc {
	return func(ctx context.Context, name string, opts app.SyncOptions) (*reconcile.Report, error) {
		run := store.Run{Connection: name, Trigger: opts.Trigger, Status: store.RunRunning, StartedAt: time.Now()}
		id, err := st.CreateRun(ctx, run)
		if err != nil {
			return nil, err
		}
		run.ID = id
		opts.Started(run)
		<-ctx.Done()
		now := time.Now()
		run.Status, run.Error, run.FinishedAt = store.RunFailed, ctx.Err().Error(), &now
		return nil, st.UpdateRun(context.WithoutCancel(ctx), run)
	}
}

// waitForRun polls the store until a run of conn other than those in skip
// is running, and returns its id.
func waitForRun(t *testing.T, st store.Store, conn string, skip map[int64]bool) int64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		runs, err := st.ListRuns(t.Context(), store.RunQuery{Connection: conn, Status: store.RunRunning})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if !skip[r.ID] {
				return r.ID
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no new run started")
	return 0
}

// TestOneRunRegistry: the web server and the scheduler share one registry
// of runs. A run started from the API holds off the scheduler and every
// other start; a run the scheduler started is visible to the API and
// cancellable from it; each refused start says a run is already in
// progress.
func TestOneRunRegistry(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	st := e.app.Store
	e.app.Runs = app.NewRuns(blockingSync(st), nil)
	ctx, stop := context.WithCancel(context.Background())
	svc := &schedule.Service{Store: st, Runs: e.app.Runs, Tick: 10 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = svc.Run(ctx) }()
	t.Cleanup(func() { stop(); <-stopped })
	c := e.login()

	refusedEverywhere := func(t *testing.T, id int64) {
		t.Helper()
		if code, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`); code != 409 || !strings.Contains(body, "already in progress") || !strings.Contains(body, "run "+itoa64(id)) {
			t.Fatalf("second start from the API: %d %s", code, body)
		}
		if code, body := c.form("/runs", url.Values{"connection": {"demo"}}); code != 409 || !strings.Contains(body, "already in progress") {
			t.Fatalf("second start from the UI: %d %s", code, body)
		}
		if _, err := e.app.Runs.Start(ctx, "demo", app.SyncOptions{Trigger: store.TriggerSchedule}); !errors.Is(err, app.ErrRunInProgress) {
			t.Fatalf("second start from the scheduler's path: %v", err)
		}
	}

	code, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`)
	if code != 202 {
		t.Fatalf("start: %d %s", code, body)
	}
	first := waitForRun(t, st, "demo", nil)
	refusedEverywhere(t, first)
	// A run request for the scheduler stays pending while the API's run is
	// in progress: the scheduler sees that run and starts no second one.
	if err := e.app.RunNow(t.Context(), "demo", false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // ten scheduler ticks
	if runs, _ := st.ListRuns(t.Context(), store.RunQuery{Connection: "demo"}); len(runs) != 1 {
		t.Fatalf("the scheduler started a second run beside the API's: %+v", runs)
	}
	if code, body := c.api("POST", "/api/v1/runs/"+itoa64(first)+"/cancel", ""); code != 200 || !strings.Contains(body, `"status": "failed"`) {
		t.Fatalf("cancel the API's run: %d %s", code, body)
	}

	// Now the scheduler takes the pending request: its run is visible to
	// the API and cancellable from it.
	second := waitForRun(t, st, "demo", map[int64]bool{first: true})
	if code, body := c.api("GET", "/api/v1/runs/"+itoa64(second)+"/progress", ""); code != 200 || !strings.Contains(body, `"done": false`) {
		t.Fatalf("progress of the scheduler's run: %d %s", code, body)
	}
	refusedEverywhere(t, second)
	if code, body := c.api("POST", "/api/v1/runs/"+itoa64(second)+"/cancel", ""); code != 200 || !strings.Contains(body, `"status": "failed"`) {
		t.Fatalf("cancel the scheduler's run from the API: %d %s", code, body)
	}
	if e.app.Runs.Running("demo") {
		t.Fatal("the registry still holds the cancelled run")
	}
}

// TestStartRefusedWhileAnotherProcessSyncs: while another usersync process
// holds the connection's lease (a CLI sync, another server), a start from
// the API or the UI is refused as a conflict naming that process, and no
// run is recorded.
func TestStartRefusedWhileAnotherProcessSyncs(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	st := e.app.Store
	if _, err := st.AcquireLease(t.Context(), "demo", "otherhost/pid 4242", time.Minute); err != nil {
		t.Fatal(err)
	}
	c := e.login()
	if code, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`); code != 409 || !strings.Contains(body, "otherhost/pid 4242") {
		t.Fatalf("start from the API: %d %s", code, body)
	}
	if code, body := c.form("/runs", url.Values{"connection": {"demo"}}); code != 409 || !strings.Contains(body, "otherhost/pid 4242") {
		t.Fatalf("start from the UI: %d %s", code, body)
	}
	h, err := e.app.Runs.Start(t.Context(), "demo", app.SyncOptions{Trigger: store.TriggerSchedule})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Wait(); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("start from the scheduler's path: %v", err)
	}
	if runs, _ := st.ListRuns(t.Context(), store.RunQuery{Connection: "demo"}); len(runs) != 0 {
		t.Fatalf("refused starts recorded runs: %+v", runs)
	}
}
