package web

import (
	"context"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// finishingStore embeds the concrete store so that every optional
// capability the application finds by type assertion stays visible. It ends a run in the store right after the first time the
// run is read, as does a sync that finishes while its page is being rendered.
type finishingStore struct {
	*sqlite.Store
	mu     sync.Mutex
	finish int64
}

func (f *finishingStore) GetRun(ctx context.Context, id int64) (store.Run, error) {
	run, err := f.Store.GetRun(ctx, id)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil && id == f.finish {
		f.finish = 0
		done := run
		now := time.Now()
		done.Status, done.FinishedAt = store.RunSucceeded, &now
		if err := f.Store.UpdateRun(ctx, done); err != nil {
			return run, err
		}
	}
	return run, err
}

// A run page shows either a running run that its script keeps following,
// or a finished run. A page that says "running" but tells its script the
// run is done stays on "running" for ever: this happened when the run ended
// between the page's reads of it.
func TestRunPageFinishingWhileRendered(t *testing.T) {
	fs := &finishingStore{}
	e := newTestEnv(t, func(a *app.App) { fs.Store = a.Store.(*sqlite.Store); a.Store = fs })
	c := e.login()
	id, err := e.app.Store.CreateRun(t.Context(), store.Run{Connection: "corp", Trigger: store.TriggerManual, Mode: store.ModeFull,
		Status: store.RunRunning, StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	statusRE := regexp.MustCompile(`id="p-status"[^>]*>([a-z]+)<`)
	doneRE := regexp.MustCompile(`id="progress"[^>]*data-done="([a-z]+)"`)
	page := func() (status, done string) {
		t.Helper()
		body := c.get("/runs/"+strconv.FormatInt(id, 10), 200)
		s, d := statusRE.FindStringSubmatch(body), doneRE.FindStringSubmatch(body)
		if s == nil || d == nil {
			t.Fatalf("run page without its status or progress:\n%.2000s", body)
		}
		return s[1], d[1]
	}
	fs.mu.Lock()
	fs.finish = id
	fs.mu.Unlock()
	status, done := page()
	if (status == store.RunRunning) != (done == "false") {
		t.Fatalf("run page says %q with data-done=%q: its script would never show the end", status, done)
	}
	if status, done := page(); status != store.RunSucceeded || done != "true" {
		t.Fatalf("finished run's page: %q, data-done=%q", status, done)
	}
}
