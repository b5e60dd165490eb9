package web

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/reconcile"
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
	// running holds, for each run this server started and that has not
	// ended, what cancelling it takes.
	running map[int64]runHandle
	wg      sync.WaitGroup
	// sync runs one sync; it is App.Sync except in tests.
	sync func(ctx context.Context, name string, opts app.SyncOptions) (*reconcile.Report, error)
}

// runHandle cancels a running sync and says when it has ended.
type runHandle struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func newRunTracker(ctx context.Context, sync func(context.Context, string, app.SyncOptions) (*reconcile.Report, error)) *runTracker {
	return &runTracker{ctx: ctx, byConn: map[string]bool{}, live: map[int64]store.Run{}, running: map[int64]runHandle{}, sync: sync}
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
	runCtx, cancel := context.WithCancel(t.ctx)
	ended := make(chan struct{})
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer cancel()
		var id int64
		rep, err := t.sync(runCtx, conn, app.SyncOptions{
			Trigger: store.TriggerManual,
			Started: func(r store.Run) {
				id = r.ID
				t.set(r)
				t.mu.Lock()
				t.running[id] = runHandle{cancel: cancel, done: ended}
				t.mu.Unlock()
				started <- r
			},
			Progress: t.set,
		})
		t.mu.Lock()
		delete(t.byConn, conn)
		delete(t.live, id)
		delete(t.running, id)
		t.mu.Unlock()
		close(ended)
		if rep != nil {
			s.log.Info("background sync finished", "connection", conn, "run", rep.ID, "status", rep.Status)
		}
		done <- err
	}()
	select {
	case r := <-started:
		return r, nil
	case err := <-done:
		// A quick sync may have recorded its run and ended before this
		// select ran: select picks among ready cases at random.
		select {
		case r := <-started:
			return r, nil
		default:
		}
		// The sync ended before it recorded a run: nothing to point at.
		if err == nil {
			err = errors.New("the sync ended without a run record")
		}
		return store.Run{}, err
	case <-ctx.Done():
		return store.Run{}, ctx.Err()
	}
}

// cancelRun cancels a run this server started and waits until the sync
// has ended and recorded the run (failed, with nobody deactivated: a
// cancelled read never reaches the deactivation step). A run that is not
// running, or that another process runs, is store.ErrConflict.
func (s *Server) cancelRun(ctx context.Context, id int64) (store.Run, error) {
	run, err := s.app.Store.GetRun(ctx, id)
	if err != nil {
		return store.Run{}, err
	}
	t := s.runs
	t.mu.Lock()
	h, ok := t.running[id]
	t.mu.Unlock()
	if !ok {
		if run.Status != store.RunRunning {
			return store.Run{}, fmt.Errorf("run %d is %s, not running: %w", id, run.Status, store.ErrConflict)
		}
		return store.Run{}, fmt.Errorf("run %d was not started by this server; stop it where it runs: %w", id, store.ErrConflict)
	}
	s.log.InfoContext(ctx, "cancelling run", "run", id, "connection", run.Connection)
	h.cancel()
	select {
	case <-h.done:
	case <-ctx.Done():
		return store.Run{}, ctx.Err()
	}
	return s.app.Store.GetRun(ctx, id)
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
