package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// ErrRunInProgress refuses a second run of a connection that is already
// running. It is a store.ErrConflict.
var ErrRunInProgress = &runInProgress{}

type runInProgress struct{}

func (*runInProgress) Error() string { return "a run of this connection is already in progress" }
func (*runInProgress) Unwrap() error { return store.ErrConflict }

// SyncFunc runs one sync; it is App.Sync except in tests.
type SyncFunc func(ctx context.Context, name string, opts SyncOptions) (*reconcile.Report, error)

// Runs is this process's one registry of background runs, shared by the
// web server and the scheduler: at most one run per connection, each run's
// latest progress, and how to cancel it. Across processes the store's run
// lease is the truth; this registry refuses a second run in this process
// before it reaches the lease, and lets any part of the process see and
// cancel a run that another part started.
type Runs struct {
	sync   SyncFunc
	log    *slog.Logger
	mu     sync.Mutex
	byConn map[string]*RunHandle
	byID   map[int64]*RunHandle
	// active counts the runs whose sync has not returned; idle is
	// signalled when it drops to zero. (A WaitGroup would forbid a start
	// racing with Wait, which a scheduler tick at shutdown may do.)
	active int
	idle   *sync.Cond
}

// NewRuns returns an empty registry whose runs call run and log how they
// ended to log.
func NewRuns(run SyncFunc, log *slog.Logger) *Runs {
	if log == nil {
		log = slog.Default()
	}
	rs := &Runs{sync: run, log: log, byConn: map[string]*RunHandle{}, byID: map[int64]*RunHandle{}}
	rs.idle = sync.NewCond(&rs.mu)
	return rs
}

// RunHandle is one background run.
type RunHandle struct {
	Connection string
	Trigger    string
	cancel     context.CancelFunc
	started    chan store.Run // receives the run record once, when it exists
	done       chan struct{}  // closed when the sync has returned
	rep        *reconcile.Report
	err        error
	mu         sync.Mutex
	latest     store.Run
}

// Start starts a sync of name in the background. bg bounds the run's life
// (the server's or the scheduler's, not a request's); cancelling it stops
// the run safely. A connection this process already runs is
// ErrRunInProgress, naming who started the running one.
func (rs *Runs) Start(bg context.Context, name string, opts SyncOptions) (*RunHandle, error) {
	rs.mu.Lock()
	if h := rs.byConn[name]; h != nil {
		rs.mu.Unlock()
		ref := "not recorded yet"
		if id := h.Latest().ID; id != 0 {
			ref = fmt.Sprintf("run %d", id)
		}
		return nil, fmt.Errorf("connection %q: %w (%s, trigger %s); wait for it to end or cancel it", name, ErrRunInProgress, ref, h.Trigger)
	}
	ctx, cancel := context.WithCancel(bg)
	h := &RunHandle{Connection: name, Trigger: opts.Trigger, cancel: cancel, started: make(chan store.Run, 1), done: make(chan struct{})}
	rs.byConn[name] = h
	rs.active++
	rs.mu.Unlock()

	progress, started := opts.Progress, opts.Started
	opts.Progress = func(r store.Run) {
		h.setLatest(r)
		if progress != nil {
			progress(r)
		}
	}
	opts.Started = func(r store.Run) {
		h.setLatest(r)
		rs.mu.Lock()
		rs.byID[r.ID] = h
		rs.mu.Unlock()
		h.started <- r
		if started != nil {
			started(r)
		}
	}
	go func() {
		defer cancel()
		rep, err := rs.sync(ctx, name, opts)
		h.rep, h.err = rep, err
		rs.mu.Lock()
		delete(rs.byConn, name)
		if id := h.Latest().ID; id != 0 {
			delete(rs.byID, id)
		}
		close(h.done)
		if rs.active--; rs.active == 0 {
			rs.idle.Broadcast()
		}
		rs.mu.Unlock()
		switch {
		case errors.Is(err, store.ErrLeaseHeld):
			rs.log.Info("run skipped: the connection is running elsewhere", "connection", name, "trigger", opts.Trigger, "err", err)
		case err != nil && rep != nil:
			rs.log.Warn("run did not succeed", "connection", name, "trigger", opts.Trigger, "run", rep.ID, "status", rep.Status, "err", err)
		case err != nil:
			rs.log.Error("run could not start", "connection", name, "trigger", opts.Trigger, "err", err)
		case rep != nil:
			rs.log.Info("background sync finished", "connection", name, "trigger", opts.Trigger, "run", rep.ID, "status", rep.Status)
		}
	}()
	return h, nil
}

func (h *RunHandle) setLatest(r store.Run) {
	if r.ID == 0 {
		return
	}
	h.mu.Lock()
	h.latest = r
	h.mu.Unlock()
}

// Latest is the run's newest in-memory state (ID 0 before it is recorded).
func (h *RunHandle) Latest() store.Run {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest
}

// Recorded waits until the run has a record and returns it. A sync that
// ended before recording a run returns its error.
func (h *RunHandle) Recorded(ctx context.Context) (store.Run, error) {
	select {
	case r := <-h.started:
		h.started <- r
		return r, nil
	case <-h.done:
		// A quick sync may have recorded its run and ended before this
		// select ran: select picks among ready cases at random.
		select {
		case r := <-h.started:
			h.started <- r
			return r, nil
		default:
		}
		if h.err == nil {
			return store.Run{}, errors.New("app: the sync ended without a run record")
		}
		return store.Run{}, h.err
	case <-ctx.Done():
		return store.Run{}, ctx.Err()
	}
}

// Wait waits until the sync has returned and returns its report and error.
func (h *RunHandle) Wait() (*reconcile.Report, error) {
	<-h.done
	return h.rep, h.err
}

// Running reports whether this process runs a sync of name.
func (rs *Runs) Running(name string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.byConn[name] != nil
}

// Progress returns the latest in-memory state of a run this process runs.
func (rs *Runs) Progress(id int64) (store.Run, bool) {
	rs.mu.Lock()
	h := rs.byID[id]
	rs.mu.Unlock()
	if h == nil {
		return store.Run{}, false
	}
	return h.Latest(), true
}

// Cancel cancels run id and waits until its sync has returned (the run is
// then recorded failed, with nobody deactivated: a cancelled read never
// reaches the deactivation step). It reports false when this process does
// not run it.
func (rs *Runs) Cancel(ctx context.Context, id int64) (bool, error) {
	rs.mu.Lock()
	h := rs.byID[id]
	rs.mu.Unlock()
	if h == nil {
		return false, nil
	}
	h.cancel()
	select {
	case <-h.done:
		return true, nil
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

// Wait blocks until every run started here has returned.
func (rs *Runs) Wait() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for rs.active > 0 {
		rs.idle.Wait()
	}
}

// CancelRun cancels a run this process runs, whoever started it (the web
// server or the scheduler), and returns its record once the sync has
// ended. A run that is not running, or that another process runs, is
// store.ErrConflict.
func (a *App) CancelRun(ctx context.Context, id int64) (_ store.Run, err error) {
	defer func() { a.auditIf(ctx, err, AuditRunCancel, fmt.Sprintf("run %d", id), "") }()
	run, err := a.Store.GetRun(ctx, id)
	if err != nil {
		return store.Run{}, err
	}
	ok, err := a.Runs.Cancel(ctx, id)
	if !ok {
		if run.Status != store.RunRunning {
			return store.Run{}, fmt.Errorf("run %d is %s, not running: %w", id, run.Status, store.ErrConflict)
		}
		return store.Run{}, fmt.Errorf("run %d was not started by this server; stop it where it runs: %w", id, store.ErrConflict)
	}
	if err != nil {
		return store.Run{}, err
	}
	a.Log.InfoContext(ctx, "run cancelled", "run", id, "connection", run.Connection)
	return a.Store.GetRun(ctx, id)
}
