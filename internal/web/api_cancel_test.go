package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// TestCancelRun cancels a sync the server started. The sync is a stand-in
// that records its run and then waits for its context, as a real sync
// reading a large directory does; that the engine deactivates nobody when
// cancelled is reconcile's TestCancelledRunDeactivatesNobody.
func TestCancelRun(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	st := e.app.Store
	e.app.Runs = app.NewRuns(func(ctx context.Context, name string, opts app.SyncOptions) (*reconcile.Report, error) {
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
	}, nil)
	c := e.login()
	code, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`)
	if code != 202 {
		t.Fatalf("start: %d %s", code, body)
	}
	id := regexp1(`"runId": (\d+)`, body)
	if page := c.get("/runs/"+id, 200); !strings.Contains(page, `id="cancel-run"`) {
		t.Fatal("a running run has no Cancel button")
	}
	code, body = c.api("POST", "/api/v1/runs/"+id+"/cancel", "")
	if code != 200 || !strings.Contains(body, `"status": "failed"`) || !strings.Contains(body, "context canceled") {
		t.Fatalf("cancel: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/runs/"+id+"/cancel", ""); code != 409 || !strings.Contains(body, "not running") {
		t.Fatalf("cancel again: %d %s", code, body)
	}
	if code, _ := c.api("POST", "/api/v1/runs/999/cancel", ""); code != 404 {
		t.Fatalf("cancel a missing run: %d", code)
	}
	// A run another process records as running cannot be cancelled here.
	other, err := st.CreateRun(t.Context(), store.Run{Connection: "demo", Trigger: store.TriggerSchedule, Status: store.RunRunning, StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := c.api("POST", "/api/v1/runs/"+itoa64(other)+"/cancel", ""); code != 409 || !strings.Contains(body, "not started by this server") {
		t.Fatalf("cancel another process's run: %d %s", code, body)
	}
}
