package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// EnvDeletedRetention names the environment variable that sets how long a
// deleted user is kept for an undo (a Go duration such as "720h").
const EnvDeletedRetention = "USERSYNC_DELETED_RETENTION"

// UndoReport is a finished undo run and the values it left alone.
type UndoReport struct {
	reconcile.Report
	Conflicts []reconcile.Conflict `json:"conflicts"`
}

// DeletedRetention is how long a deleted user stays restorable: the
// duration in USERSYNC_DELETED_RETENTION, or 30 days. A value that is not
// a positive duration is an error naming the variable.
func DeletedRetention() (time.Duration, error) {
	v := os.Getenv(EnvDeletedRetention)
	if v == "" {
		return store.DefaultDeletedRetention, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("%s must be a positive duration such as 720h, got %q", EnvDeletedRetention, v)
	}
	return d, nil
}

// PurgeDeletedUsers forgets the deleted users older than the retention.
func (a *App) PurgeDeletedUsers(ctx context.Context) (int, error) {
	keep, err := DeletedRetention()
	if err != nil {
		return 0, err
	}
	return a.Store.PurgeDeletedUsers(ctx, time.Now().Add(-keep))
}

// purgeDeletedUsers forgets the deleted users past the retention after a
// run; a failure is logged, as it costs only disk space.
func (a *App) purgeDeletedUsers(ctx context.Context) {
	n, err := a.PurgeDeletedUsers(ctx)
	switch {
	case err != nil:
		a.Log.Warn("could not purge the deleted users past their retention", "err", err)
	case n > 0:
		a.Log.Info("purged deleted users past their retention", "count", n)
	}
}

// UndoRun takes back what run id changed, as a new run (trigger undo)
// linked to it: users it created are deactivated, fields and memberships
// it changed go back to their old values, users it deactivated are
// reactivated with the fields their leave cleared, and users it deleted
// are restored while the retention lasts. A value that changed since the
// run is left alone and reported as a conflict. The users the undo
// deactivates pass the connection's deletion guard. On a relying party it
// reverses the values the run wrote to the directory. A dry run writes
// nothing and returns the plan.
func (a *App) UndoRun(ctx context.Context, id int64, dryRun bool) (_ *UndoReport, err error) {
	defer func() {
		if !dryRun {
			a.Audit(ctx, AuditRunUndo, fmt.Sprintf("run %d", id), outcomeWord(err))
		}
	}()
	run, err := a.Store.GetRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usagef("no run %d", id)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case run.Status == store.RunRunning:
		return nil, usagef("run %d is still running; undo it once it has ended", id)
	case run.UndoneBy != 0:
		return nil, usagef("run %d was already undone by run %d; undo run %d to take that undo back", id, run.UndoneBy, run.UndoneBy)
	}
	if dryRun {
		return a.undo(ctx, run, true)
	}
	var rep *UndoReport
	err = a.WithLease(ctx, run.Connection, func(ctx context.Context) error {
		var err error
		rep, err = a.undo(ctx, run, false)
		return err
	})
	return rep, err
}

func (a *App) undo(ctx context.Context, run store.Run, dryRun bool) (*UndoReport, error) {
	c, _, err := a.Store.GetConnection(ctx, run.Connection)
	if err != nil {
		return nil, err
	}
	if c.DirectoryType == connection.DirectoryRelyingParty {
		return a.undoWriteBack(ctx, run, dryRun)
	}
	keep, err := DeletedRetention()
	if err != nil {
		return nil, err
	}
	outs, err := a.Store.ListOutcomes(ctx, run.ID, store.OutcomeQuery{})
	if err != nil {
		return nil, err
	}
	plan, err := reconcile.PlanUndo(ctx, a.Store, run, outs, keep, time.Now())
	if err != nil {
		return nil, fmt.Errorf("undo of run %d: %w", run.ID, err)
	}
	rep := &UndoReport{Report: reconcile.Report{Run: store.Run{Connection: run.Connection, Trigger: store.TriggerUndo, Mode: store.ModeFull,
		DryRun: dryRun, Status: store.RunRunning, StartedAt: time.Now(), UndoOf: run.ID}}, Conflicts: plan.Conflicts}
	if rep.Conflicts == nil {
		rep.Conflicts = []reconcile.Conflict{}
	}
	if !dryRun {
		if rep.ID, err = a.Store.CreateRun(ctx, rep.Run); err != nil {
			return rep, err
		}
	}
	runErr := plan.Guard(c.DeletionGuard, plan.Active, rep.ID)
	for _, cf := range plan.Conflicts {
		plan.Batch.Outcomes = append(plan.Batch.Outcomes, store.Outcome{UserRowID: cf.UserRowID, UserID: cf.UserID, Action: reconcile.ActionConflict,
			Reason:  fmt.Sprintf("changed since run %d, left as it is: before %q, after %q, now %q", run.ID, cf.Before, cf.After, cf.Now),
			Changes: []store.FieldChange{{Field: cf.Field, Old: cf.Before, New: cf.After}}})
	}
	rep.Counts = plan.Counts
	rep.Skipped = len(plan.Conflicts)
	if len(plan.Conflicts) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d values changed since run %d were left as they are (conflicts)", len(plan.Conflicts), run.ID))
	}
	b := plan.Batch
	b.RunID, b.Connection = rep.ID, run.Connection
	for i := range b.Outcomes {
		b.Outcomes[i].RunID = rep.ID
	}
	// The saved change token describes the directory as the undone state
	// never was: the next run reads everything.
	noToken := ""
	b.Token = &noToken
	if dryRun {
		rep.Plan = b.Outcomes
	} else if err := a.Store.Apply(ctx, b); err != nil {
		runErr = err
	} else if mb := plan.Memberships; !mb.Empty() {
		mb.RunID = rep.ID
		if err := a.Store.ApplyMemberships(ctx, mb); err != nil {
			runErr = err
		}
	}
	return rep, a.finishUndo(ctx, rep, runErr)
}

// finishUndo records how an undo run ended.
func (a *App) finishUndo(ctx context.Context, rep *UndoReport, err error) error {
	end := time.Now()
	rep.DurationMs = end.Sub(rep.StartedAt).Milliseconds()
	rep.FinishedAt = &end
	switch {
	case err == nil:
		rep.Status = store.RunSucceeded
	case errors.Is(err, reconcile.ErrGuardTipped):
		rep.Status, rep.Error, rep.FinishedAt = store.RunAwaitingApproval, err.Error(), nil
	default:
		rep.Status, rep.Error = store.RunFailed, err.Error()
	}
	if !rep.DryRun {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if uerr := a.Store.UpdateRun(wctx, rep.Run); uerr != nil && err == nil {
			err = uerr
		}
	}
	a.Log.Info("undo finished", "connection", rep.Connection, "run", rep.ID, "undoOf", rep.UndoOf, "status", rep.Status,
		"created", rep.Created, "updated", rep.Updated, "deactivated", rep.Deactivated, "conflicts", len(rep.Conflicts))
	return err
}
