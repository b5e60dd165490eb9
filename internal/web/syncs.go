package web

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// runTracker runs syncs in the background, one at a time per connection,
// and keeps each running sync's latest progress in memory for the live
// progress bar.
type runTracker struct {
	ctx    context.Context
	mu     sync.Mutex
	byConn map[string]bool
	live   map[int64]store.Run
	wg     sync.WaitGroup
}

func newRunTracker(ctx context.Context) *runTracker {
	return &runTracker{ctx: ctx, byConn: map[string]bool{}, live: map[int64]store.Run{}}
}

func (t *runTracker) wait() { t.wg.Wait() }

// progress returns the latest in-memory state of a running sync.
func (t *runTracker) progress(id int64) (store.Run, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.live[id]
	return r, ok
}

func (t *runTracker) set(r store.Run) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.ID != 0 {
		t.live[r.ID] = r
	}
}

// startRun starts a sync of conn in the background and returns its run
// record as soon as it exists. A second sync of a connection that is
// already syncing is store.ErrConflict.
func (s *Server) startRun(ctx context.Context, conn string) (store.Run, error) {
	if _, _, err := s.app.Store.GetConnection(ctx, conn); err != nil {
		return store.Run{}, err
	}
	t := s.runs
	t.mu.Lock()
	if t.byConn[conn] {
		t.mu.Unlock()
		return store.Run{}, fmt.Errorf("a sync of %q is already running: %w", conn, store.ErrConflict)
	}
	t.byConn[conn] = true
	t.mu.Unlock()

	started := make(chan store.Run, 1)
	done := make(chan error, 1)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		var id int64
		rep, err := s.app.Sync(t.ctx, conn, app.SyncOptions{
			Trigger: store.TriggerManual,
			Started: func(r store.Run) {
				id = r.ID
				t.set(r)
				started <- r
			},
			Progress: t.set,
		})
		t.mu.Lock()
		delete(t.byConn, conn)
		delete(t.live, id)
		t.mu.Unlock()
		if rep != nil {
			s.log.Info("background sync finished", "connection", conn, "run", rep.ID, "status", rep.Status)
		}
		done <- err
	}()
	select {
	case r := <-started:
		return r, nil
	case err := <-done:
		// The sync ended before it recorded a run: nothing to point at.
		if err == nil {
			err = errors.New("the sync ended without a run record")
		}
		return store.Run{}, err
	case <-ctx.Done():
		return store.Run{}, ctx.Err()
	}
}

// progressView is what the live progress bar polls.
type progressView struct {
	RunID       int64   `json:"runId"`
	Connection  string  `json:"connection"`
	Status      string  `json:"status"`
	Done        bool    `json:"done"`
	EntriesRead int     `json:"entriesRead"`
	Applied     int     `json:"applied"`
	Expected    int     `json:"expected"`
	Rate        float64 `json:"ratePerSecond"`
	DurationMs  int64   `json:"durationMs"`
	store.Counts
}

// runProgress combines the stored run with the in-memory state of a running
// sync. Expected is what the previous successful run read, for the bar's
// length; 0 means unknown.
func (s *Server) runProgress(ctx context.Context, id int64) (progressView, error) {
	run, err := s.app.Store.GetRun(ctx, id)
	if err != nil {
		return progressView{}, err
	}
	if live, ok := s.runs.progress(id); ok && run.Status == store.RunRunning && live.EntriesRead >= run.EntriesRead {
		run.Counts = live.Counts
	}
	dur := run.DurationMs
	if run.Status == store.RunRunning {
		dur = time.Since(run.StartedAt).Milliseconds()
	}
	v := progressView{RunID: run.ID, Connection: run.Connection, Status: run.Status, Done: run.Status != store.RunRunning,
		EntriesRead: run.EntriesRead, Applied: run.Created + run.Updated + run.Deactivated, DurationMs: dur, Counts: run.Counts}
	if dur > 0 {
		v.Rate = float64(run.EntriesRead) * 1000 / float64(dur)
	}
	prev, err := s.app.Store.ListRuns(ctx, store.RunQuery{Connection: run.Connection, Status: store.RunSucceeded, Limit: 5})
	if err != nil {
		return v, err
	}
	for _, p := range prev {
		if p.ID != run.ID && p.EntriesRead > 0 {
			v.Expected = p.EntriesRead
			break
		}
	}
	if v.Done {
		v.Expected = v.EntriesRead
	}
	return v, nil
}
