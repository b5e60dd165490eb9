package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/grouprules"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// SyncOptions are the knobs of one sync.
type SyncOptions struct {
	DryRun   bool
	Full     bool
	Trigger  string
	Progress func(store.Run)
	// Started, when set, is called once the run is recorded, with its id.
	Started func(store.Run)
	// Override, allowed only with DryRun, changes the stored connection
	// before the run: a preview of settings that are not saved yet. The
	// changed connection must pass Validate.
	Override func(*connection.Connection)
}

// Sync runs one sync of a connection. The report is returned even when the
// run failed; the error says why. A run that writes holds the connection's
// lease (see WithLease); when another run holds it, Sync returns at once
// with a nil report and a *store.LeaseHeldError naming the holder.
func (a *App) Sync(ctx context.Context, name string, opts SyncOptions) (rep *reconcile.Report, err error) {
	if opts.DryRun {
		return a.sync(ctx, name, opts)
	}
	defer func() { a.Audit(ctx, AuditRun, "connection "+name, runDetail(rep, err)) }()
	err = a.WithLease(ctx, name, func(ctx context.Context) error {
		var err error
		rep, err = a.sync(ctx, name, opts)
		return err
	})
	a.purgeDeletedUsers(ctx)
	a.pruneEvents(ctx)
	return rep, err
}

func (a *App) sync(ctx context.Context, name string, opts SyncOptions) (*reconcile.Report, error) {
	c, err := a.connectionWithSecret(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := notRead(c); err != nil {
		return nil, err
	}
	if opts.Override != nil {
		if !opts.DryRun {
			return nil, usagef("settings can be overridden only in a dry run")
		}
		before := c
		opts.Override(&c)
		// An override may not send the stored password elsewhere either.
		if err := connection.KeepCredential(before, c, "password", c.Password != before.Password, true); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUsage, err)
		}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUsage, err)
		}
	}
	if c.IsPushTarget() {
		return a.syncPush(ctx, c, opts)
	}
	if c.DirectoryType == connection.DirectoryRelyingParty {
		return a.syncRelyingParty(ctx, c, opts)
	}
	if c.SystemType == connection.SystemEntra {
		return a.syncEntra(ctx, c, opts)
	}
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return a.failedBeforeStart(ctx, name, opts, err)
	}
	defer conn.Close()
	flavor, _, err := conn.RootDSE(ctx)
	if err != nil {
		return a.failedBeforeStart(ctx, name, opts, err)
	}
	job, err := a.job(c, conn, flavor)
	if err == nil {
		err = scopeMembers(ctx, conn, &job)
	}
	if err != nil {
		return a.failedBeforeStart(ctx, name, opts, err)
	}
	job.Trigger, job.DryRun, job.Full, job.Progress, job.Started = opts.Trigger, opts.DryRun, opts.Full, opts.Progress, opts.Started
	return a.Engine.Run(ctx, job)
}

// job builds the reconciler's job for a source connection whose directory
// is open: the linking key, the compiled mappings, the AD identity rules and
// the group phase. Every path that runs a connection (sync, live, explain)
// builds it here, so they all map entries the same way.
func (a *App) job(c connection.Connection, conn *ldap.Conn, flavor directory.Flavor) (reconcile.Job, error) {
	key := linkingKey(c, flavor)
	set := c.MappingSet()
	if set.Mappings == nil {
		set.Mappings = mapping.Baseline(flavor).Mappings
	}
	mapper, err := mapping.Compile(set)
	if err != nil {
		return reconcile.Job{}, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	var id reconcile.Identity
	if flavor == directory.FlavorActiveDirectory {
		if id, err = reconcile.IdentityFor(c); err != nil {
			return reconcile.Job{}, err
		}
	}
	// The reconciler's reads issue no other operation from their callbacks,
	// so they may take the fast read path.
	conn.UseFastSearch()
	job := reconcile.Job{Conn: c, Dir: conn, Flavor: flavor, Mapper: mapper, LinkingKey: key, Identity: id}
	if c.GroupRulesOn() {
		job.Groups = grouprules.NewPhase(a.Store, conn, c, flavor)
	}
	return job, nil
}

// failedBeforeStart records a run that could not reach its directory, so
// that the run history shows every attempt (invariant "every run
// recorded", docs/invariants.md).
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
	if opts.Started != nil {
		opts.Started(rep.Run)
	}
	return rep, cause
}

// ApproveRun applies the deactivations a deletion guard held back. Only the
// newest run of its connection can be approved: an older plan may be stale.
func (a *App) ApproveRun(ctx context.Context, id int64) (_ store.Run, err error) {
	defer func() { a.auditIf(ctx, err, AuditRunApprove, fmt.Sprintf("run %d", id), "") }()
	run, err := a.heldRun(ctx, id)
	if err != nil {
		return run, err
	}
	pending, err := a.Store.ListOutcomes(ctx, id, store.OutcomeQuery{Action: store.ActionPendingDeactivation})
	if err != nil {
		return run, err
	}
	pending = a.scimStillLeaving(ctx, run, pending)
	deletions, err := a.Store.ListOutcomes(ctx, id, store.OutcomeQuery{Action: store.ActionPendingDeletion})
	if err != nil {
		return run, err
	}
	c, _, err := a.Store.GetConnection(ctx, run.Connection)
	if err != nil {
		return run, err
	}
	if c.IsPushTarget() {
		return a.approvePush(ctx, run)
	}
	// The held run's change token was not saved, and the one saved before
	// may belong to another search (a changed filter is what usually trips
	// the guard): clearing it makes the next run full, so it sees the store
	// as this approval leaves it.
	noToken := ""
	b := store.Batch{RunID: id, Connection: run.Connection, Token: &noToken}
	for _, o := range pending {
		b.Deactivate = append(b.Deactivate, o.UserRowID)
	}
	if len(b.Deactivate) > 0 {
		b.ClearOnDeactivate = mapping.ClearOnLeave(c.Mappings)
	}
	changes, err := reconcile.LeaveChanges(ctx, a.Store, b.Deactivate, b.ClearOnDeactivate)
	if err != nil {
		return run, err
	}
	for _, o := range pending {
		b.Outcomes = append(b.Outcomes, store.Outcome{RunID: id, UserRowID: o.UserRowID, ExternalID: o.ExternalID, UserID: o.UserID,
			Action: store.ActionDeactivated, Reason: "left the directory or the scope; deactivation approved by an operator",
			Changes: changes[o.UserRowID]})
	}
	for _, o := range deletions {
		b.Delete = append(b.Delete, o.UserRowID)
		b.Outcomes = append(b.Outcomes, store.Outcome{RunID: id, UserRowID: o.UserRowID, ExternalID: o.ExternalID, UserID: o.UserID,
			Action: store.ActionDeleted, Reason: "left the directory or the scope; deletion approved by an operator"})
	}
	// The memberships go first: should the deactivation then fail, the
	// run can be approved again, and a user still active gets its
	// memberships back from the next run.
	mb, err := a.leaverMemberships(ctx, c, id, pending)
	if err != nil {
		return run, err
	}
	if !mb.Empty() {
		if err := a.Store.ApplyMemberships(ctx, mb); err != nil {
			return run, err
		}
	}
	if err := a.Store.Apply(ctx, b); err != nil {
		return run, err
	}
	now := time.Now()
	run.Status, run.FinishedAt, run.Error = store.RunSucceeded, &now, ""
	run.Deactivated += len(pending)
	run.Deleted += len(deletions)
	run.PendingDeactivations = 0
	run.Warnings = append(run.Warnings, fmt.Sprintf("%d deactivations and %d deletions approved at %s", len(pending), len(deletions), now.UTC().Format(time.RFC3339)))
	a.Log.Info("run approved", "run", id, "deactivated", len(pending), "deleted", len(deletions))
	return run, a.Store.UpdateRun(ctx, run)
}

// RejectRun discards the deactivations a deletion guard held back.
func (a *App) RejectRun(ctx context.Context, id int64) (_ store.Run, err error) {
	defer func() { a.auditIf(ctx, err, AuditRunReject, fmt.Sprintf("run %d", id), "") }()
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
	// A SCIM client's other writes go on as runs of their own while its
	// deactivations wait in one held run, which stays approvable.
	if len(newer) > 0 && newer[0].ID != id && run.Trigger != store.TriggerSCIM {
		return run, usagef("run %d is not the newest run of %q (run %d is); its plan may be stale: sync again", id, run.Connection, newer[0].ID)
	}
	return run, nil
}
