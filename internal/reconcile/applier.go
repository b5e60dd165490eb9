package reconcile

import (
	"context"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// pending is a batch and a snapshot of the run taken by the planner when it
// sent the batch, so the applier never reads the planner's live counts.
type pending struct {
	b   store.Batch
	run store.Run
}

// applier writes planned batches to the store on its own goroutine, so that
// SQLite's work overlaps the directory read and the planning. In a dry run it
// only collects the plan.
type applier struct {
	ch     chan pending
	done   chan struct{}
	err    error
	st     store.Store
	j      Job
	rep    *Report
	cancel context.CancelCauseFunc
	last   time.Time
	// applied is the run's counts as of the last batch the store committed.
	applied store.Counts
}

func newApplier(ctx context.Context, st store.Store, j Job, rep *Report, cancel context.CancelCauseFunc) *applier {
	a := &applier{ch: make(chan pending, 2), done: make(chan struct{}), st: st, j: j, rep: rep, cancel: cancel}
	go a.loop(ctx)
	return a
}

func (a *applier) loop(ctx context.Context) {
	defer close(a.done)
	for p := range a.ch {
		if a.err != nil {
			continue
		}
		if a.j.DryRun {
			a.collect(p.b.Outcomes)
		} else if err := a.st.Apply(ctx, p.b); err != nil {
			a.err = err
			a.cancel(err)
			continue
		}
		a.applied = p.run.Counts
		a.progress(ctx, p.run)
	}
}

func (a *applier) collect(outs []store.Outcome) {
	for _, o := range outs {
		if len(a.rep.Plan) >= MaxPlanOutcomes {
			a.rep.PlanTruncated = true
			return
		}
		a.rep.Plan = append(a.rep.Plan, o)
	}
}

// progress saves the counts so far at most once a second, for the UI's
// live progress bar and for `runs show` during a long run.
func (a *applier) progress(ctx context.Context, run store.Run) {
	if time.Since(a.last) < time.Second {
		return
	}
	a.last = time.Now()
	run.DurationMs = time.Since(run.StartedAt).Milliseconds()
	if !a.j.DryRun {
		_ = a.st.UpdateRun(ctx, run)
	}
	if a.j.Progress != nil {
		a.j.Progress(run)
	}
}

func (a *applier) send(ctx context.Context, b store.Batch, run store.Run) error {
	select {
	case a.ch <- pending{b, run}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// close waits for every batch sent so far and returns the first write error.
// After a write error the report's counts are put back to what the store
// committed: a failed run must not claim changes that were rolled back.
func (a *applier) close() error {
	close(a.ch)
	<-a.done
	if a.err != nil && !a.j.DryRun {
		read := a.rep.EntriesRead
		a.rep.Counts = a.applied
		a.rep.EntriesRead = read
	}
	return a.err
}
