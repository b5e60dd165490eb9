// Package schedule runs connections by themselves: on their schedules, when
// an operator asks for a run now, and continuously in live mode. It is one
// long-lived Service that `usersync serve` and `usersync run-scheduler`
// start; several instances may share a store, and the store's leases and
// firing claims make sure each scheduled firing runs once and no connection
// runs twice at a time.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// Runner starts background runs in the registry the process shares (the
// web server starts its runs there too); *app.Runs is the implementation.
type Runner interface {
	Start(bg context.Context, name string, opts app.SyncOptions) (*app.RunHandle, error)
	Running(name string) bool
}

// Follower follows a live connection's directory until ctx ends.
type Follower interface {
	Follow(ctx context.Context, name string) error
}

// Defaults of a Service.
const (
	DefaultTick      = time.Second
	DefaultRetention = 30 * 24 * time.Hour
	pruneEvery       = time.Hour
)

// Service is the scheduler.
type Service struct {
	Store store.Store
	// Runs is the process's run registry: a connection it runs, whoever
	// started the run, is not started again.
	Runs Runner
	// Live follows connections with "live": true; nil turns live mode off.
	Live Follower
	// Tick is how often the store is looked at for due firings, run
	// requests and changed connections (default 1s).
	Tick time.Duration
	// Retention is how long run history is kept (default 30 days); the
	// scheduler prunes older runs every hour.
	Retention time.Duration
	Log       *slog.Logger
	// MinInterval is the server-wide floor between two scheduled runs of
	// one connection, applied to connections stored before the floor was
	// raised too; zero means none.
	MinInterval time.Duration
	// Now is the scheduler's clock (default time.Now). Firings are due by
	// it; a test sets it ahead to reach a firing without waiting for it.
	Now func() time.Time

	mu        sync.Mutex
	followers map[string]*follower
	started   time.Time
	ready     bool
	wg        sync.WaitGroup
}

type follower struct {
	cancel context.CancelFunc
	doc    connection.Connection
}

// Ready reports whether the scheduler has started and looked at the store,
// for /readyz.
func (s *Service) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready
}

// Run schedules until ctx is cancelled (SIGTERM), then stops the runs in
// progress safely (a cancelled run is recorded failed and deactivates
// nobody) and returns.
func (s *Service) Run(ctx context.Context) error {
	if s.Tick <= 0 {
		s.Tick = DefaultTick
	}
	if s.Retention <= 0 {
		s.Retention = DefaultRetention
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.mu.Lock()
	s.followers, s.started = map[string]*follower{}, s.Now()
	s.mu.Unlock()
	defer s.wg.Wait()
	defer s.stopFollowers()

	// Runs left "running" by a process that died are failed now, but only
	// where no live instance holds the connection's lease.
	n, err := s.Store.FailOrphanedRuns(ctx, "", "", "interrupted: the usersync process running it stopped (crash or kill) before it finished")
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if n > 0 {
		s.Log.Warn("marked interrupted runs failed", "runs", n)
	}
	s.prune(ctx)
	lastPrune := s.Now()
	s.Log.Info("scheduler started", "tick", s.Tick, "retention", s.Retention)
	t := time.NewTicker(s.Tick)
	defer t.Stop()
	for {
		if err := s.tick(ctx, s.Now()); err != nil && ctx.Err() == nil {
			s.Log.Error("scheduler tick failed", "err", err)
		}
		s.mu.Lock()
		s.ready = true
		s.mu.Unlock()
		if s.Now().Sub(lastPrune) >= pruneEvery {
			s.prune(ctx)
			lastPrune = s.Now()
		}
		select {
		case <-ctx.Done():
			s.Log.Info("scheduler stopping; runs in progress stop safely")
			return nil
		case <-t.C:
		}
	}
}

func (s *Service) prune(ctx context.Context) {
	n, err := s.Store.PruneRuns(ctx, s.Now().Add(-s.Retention))
	if err != nil {
		s.Log.Error("pruning run history failed", "err", err)
		return
	}
	if n > 0 {
		s.Log.Info("pruned run history", "runs", n, "olderThan", s.Retention)
	}
}

// tick looks at every connection once.
func (s *Service) tick(ctx context.Context, now time.Time) error {
	conns, err := s.Store.ListConnections(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var errs []error
	for _, c := range conns {
		seen[c.Name] = true
		if err := s.tickConnection(ctx, c, now); err != nil {
			errs = append(errs, fmt.Errorf("connection %q: %w", c.Name, err))
		}
	}
	s.mu.Lock()
	for name, f := range s.followers {
		if !seen[name] {
			f.cancel()
			delete(s.followers, name)
		}
	}
	s.mu.Unlock()
	return errors.Join(errs...)
}

func (s *Service) tickConnection(ctx context.Context, c connection.Connection, now time.Time) error {
	st, err := s.Store.GetScheduleState(ctx, c.Name)
	if err != nil {
		return err
	}
	s.syncFollower(ctx, c, st.Paused)
	if st.Paused {
		return nil
	}
	if s.Runs.Running(c.Name) {
		return nil
	}
	// A connection another instance is running is left alone in the same
	// way: its run request stays pending and its due firing waits for the
	// run to end. Taken now, both would be refused by the lease and lost.
	// The lease is looked at only when there is something to start, and a
	// request is taken only once it has been seen pending, after that look.
	if st.RunRequestedAt != nil {
		if elsewhere, err := s.runningElsewhere(ctx, c.Name); err != nil || elsewhere {
			return err
		}
		if ok, full, err := s.Store.TakeRunRequest(ctx, c.Name); err != nil {
			return err
		} else if ok {
			s.start(ctx, c.Name, app.SyncOptions{Trigger: store.TriggerManual, Full: full})
			return nil
		}
	}
	sp, err := c.ScheduleSpec()
	if err != nil || sp.IsOff() {
		return err
	}
	base := s.started
	if st.LastFire != nil && st.LastFire.After(base) {
		base = *st.LastFire
	}
	if st.LastFire != nil && s.MinInterval > 0 {
		// The first firing after this instant is at least MinInterval
		// after the last one.
		if floor := st.LastFire.Add(s.MinInterval - time.Nanosecond); floor.After(base) {
			base = floor
		}
	}
	next := sp.Next(base)
	if now.Before(next) {
		if st.NextRunAt == nil || !st.NextRunAt.Equal(next) {
			return s.Store.SetNextRun(ctx, c.Name, next)
		}
		return nil
	}
	// Firings missed while no scheduler ran (or while a run was in
	// progress) collapse into the latest one: one catch-up run, not many.
	for i := 0; i < 100000; i++ {
		n := sp.Next(next)
		if n.After(now) {
			break
		}
		next = n
	}
	if elsewhere, err := s.runningElsewhere(ctx, c.Name); err != nil || elsewhere {
		return err
	}
	claimed, err := s.Store.ClaimFiring(ctx, c.Name, next)
	if err != nil {
		return err
	}
	if err := s.Store.SetNextRun(ctx, c.Name, sp.Next(next)); err != nil {
		return err
	}
	if claimed {
		s.Log.Info("scheduled run due", "connection", c.Name, "firing", next, "schedule", sp.String())
		s.start(ctx, c.Name, app.SyncOptions{Trigger: store.TriggerSchedule})
	}
	return nil
}

// runningElsewhere reports whether the connection's run lease is held and
// unexpired. This process's own runs are known to the registry before they
// take the lease, so a held lease seen here is another instance's (or a
// live batch of this one, which ends within moments). The lease's times
// are the store's real clock, not the scheduler's.
func (s *Service) runningElsewhere(ctx context.Context, name string) (bool, error) {
	l, err := s.Store.GetLease(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return l.ExpiresAt.After(time.Now()), nil
}

// start starts one run in the registry; it ends with ctx. A run already in
// progress in this process (started by the web server, say) is left alone:
// a run request stays pending until it has ended.
func (s *Service) start(ctx context.Context, name string, opts app.SyncOptions) {
	// The audit log names the scheduler as the one who ran it.
	h, err := s.Runs.Start(app.WithActor(ctx, "scheduler"), name, opts)
	if err != nil {
		s.Log.Info("run not started", "connection", name, "trigger", opts.Trigger, "err", err)
		return
	}
	// Run returns only once the runs it started have stopped.
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_, _ = h.Wait()
	}()
}

// syncFollower starts, restarts or stops a connection's live follower to
// match its document and pause state.
func (s *Service) syncFollower(ctx context.Context, c connection.Connection, paused bool) {
	if s.Live == nil {
		return
	}
	want := c.Live && !paused
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.followers[c.Name]
	if f != nil && (!want || !sameDirectory(f.doc, c)) {
		f.cancel()
		delete(s.followers, c.Name)
		f = nil
	}
	if !want || f != nil {
		return
	}
	fctx, cancel := context.WithCancel(ctx)
	s.followers[c.Name] = &follower{cancel: cancel, doc: c}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.Log.Info("live mode started", "connection", c.Name)
		if err := s.Live.Follow(fctx, c.Name); err != nil && fctx.Err() == nil {
			s.Log.Error("live mode stopped", "connection", c.Name, "err", err)
		}
	}()
}

func (s *Service) stopFollowers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, f := range s.followers {
		f.cancel()
		delete(s.followers, name)
	}
}

// sameDirectory reports whether a follower started for doc a still fits
// doc b: anything that changes what is read restarts it.
func sameDirectory(a, b connection.Connection) bool {
	a.Schedule, a.TimeZone, a.MinInterval = b.Schedule, b.TimeZone, b.MinInterval
	a.HasPassword = b.HasPassword
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}
