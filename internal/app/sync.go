package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// SyncOptions are the knobs of one sync.
type SyncOptions struct {
	DryRun bool
	Full   bool
	// Incremental reads only the changes since the saved change token.
	Incremental bool
	Trigger     string
	Progress    func(store.Run)
}

// Sync runs one sync of a connection. The report is returned even when the
// run failed; the error says why.
func (a *App) Sync(ctx context.Context, name string, opts SyncOptions) (*reconcile.Report, error) {
	c, err := a.connectionWithSecret(ctx, name)
	if err != nil {
		return nil, err
	}
	conn, err := ldap.Dial(ctx, c)
	if err != nil {
		return a.failedBeforeStart(ctx, name, opts, err)
	}
	defer conn.Close()
	flavor, _, err := conn.RootDSE(ctx)
	if err != nil {
		return a.failedBeforeStart(ctx, name, opts, err)
	}
	key := c.LinkingKey
	if key == "" {
		key = mapping.DefaultLinkingKey(flavor)
	}
	return a.Engine.Run(ctx, reconcile.Job{Conn: c, Dir: conn, Flavor: flavor, Mapper: mapping.Baseline(flavor),
		LinkingKey: key, Trigger: opts.Trigger, DryRun: opts.DryRun, Full: opts.Full, Incremental: opts.Incremental, Progress: opts.Progress})
}

// failedBeforeStart records a run that could not reach its directory, so
// that the run history shows every attempt (DESIGN.md invariant 8).
func (a *App) failedBeforeStart(ctx context.Context, name string, opts SyncOptions, cause error) (*reconcile.Report, error) {
	now := time.Now()
	rep := &reconcile.Report{Run: store.Run{Connection: name, Trigger: opts.Trigger, Mode: store.ModeFull, DryRun: opts.DryRun,
		Status: store.RunFailed, Error: cause.Error(), StartedAt: now, FinishedAt: &now}}
	if rep.Trigger == "" {
		rep.Trigger = store.TriggerManual
	}
	if !opts.DryRun {
		id, err := a.Store.CreateRun(ctx, rep.Run)
		if err != nil {
			return rep, errors.Join(cause, err)
		}
		rep.ID = id
		if err := a.Store.UpdateRun(ctx, rep.Run); err != nil {
			return rep, errors.Join(cause, err)
		}
	}
	return rep, cause
}

// ApproveRun applies the deactivations a deletion guard held back. Only the
// newest run of its connection can be approved: an older plan may be stale.
func (a *App) ApproveRun(ctx context.Context, id int64) (store.Run, error) {
	run, err := a.heldRun(ctx, id)
	if err != nil {
		return run, err
	}
	pending, err := a.Store.ListOutcomes(ctx, id, store.OutcomeQuery{Action: store.ActionPendingDeactivation})
	if err != nil {
		return run, err
	}
	b := store.Batch{RunID: id, Connection: run.Connection}
	for _, o := range pending {
		b.Deactivate = append(b.Deactivate, o.UserRowID)
		b.Outcomes = append(b.Outcomes, store.Outcome{RunID: id, UserRowID: o.UserRowID, ExternalID: o.ExternalID, UserID: o.UserID,
			Action: store.ActionDeactivated, Reason: "no longer found in the directory; deactivation approved by an operator"})
	}
	if err := a.Store.Apply(ctx, b); err != nil {
		return run, err
	}
	now := time.Now()
	run.Status, run.FinishedAt, run.Error = store.RunSucceeded, &now, ""
	run.Deactivated += len(pending)
	run.PendingDeactivations = 0
	run.Warnings = append(run.Warnings, fmt.Sprintf("%d deactivations approved at %s", len(pending), now.UTC().Format(time.RFC3339)))
	a.Log.Info("run approved", "run", id, "deactivated", len(pending))
	return run, a.Store.UpdateRun(ctx, run)
}

// RejectRun discards the deactivations a deletion guard held back.
func (a *App) RejectRun(ctx context.Context, id int64) (store.Run, error) {
	run, err := a.heldRun(ctx, id)
	if err != nil {
		return run, err
	}
	now := time.Now()
	run.Status, run.FinishedAt = store.RunRejected, &now
	a.Log.Info("run rejected", "run", id)
	return run, a.Store.UpdateRun(ctx, run)
}

func (a *App) heldRun(ctx context.Context, id int64) (store.Run, error) {
	run, err := a.Store.GetRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return run, usagef("no run %d", id)
	}
	if err != nil {
		return run, err
	}
	if run.Status != store.RunAwaitingApproval {
		return run, usagef("run %d is %s, not awaiting approval", id, run.Status)
	}
	newer, err := a.Store.ListRuns(ctx, store.RunQuery{Connection: run.Connection, Limit: 1})
	if err != nil {
		return run, err
	}
	if len(newer) > 0 && newer[0].ID != id {
		return run, usagef("run %d is not the newest run of %q (run %d is); its plan may be stale: sync again", id, run.Connection, newer[0].ID)
	}
	return run, nil
}
