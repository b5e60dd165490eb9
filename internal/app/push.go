package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/scimpush"
	"github.com/usersync/usersync/internal/store"
)

// Push run modes, as the runs list shows them.
const (
	ModePush     = "push"
	ModePushFull = "pushFull"
)

// PushOptions say what one push run of a target does.
type PushOptions struct {
	// Full compares every user on the target with the store instead of
	// following the change feed.
	Full bool
	// Approve lets a run the deletion guard held push its deactivations.
	Approve bool
	Trigger string
	// Started, when set, is called once the run is recorded.
	Started func(store.Run)
}

// Push runs one push of a SCIM target under its lease, so that two serve
// instances never push the same events at once. The run is returned even
// when it failed or was held; the error says why.
func (a *App) Push(ctx context.Context, name string, opts PushOptions) (run store.Run, err error) {
	defer func() { a.Audit(ctx, AuditRun, "connection "+name, outcomeWord(err)) }()
	err = a.WithLease(ctx, name, func(ctx context.Context) error {
		c, err := a.connectionWithSecret(ctx, name)
		if err != nil {
			return err
		}
		if !c.IsPushTarget() {
			return usagef("connection %q is not a SCIM push target (\"directoryType\": %q, \"systemType\": %q)", name, connection.DirectoryTarget, connection.SystemSCIM)
		}
		run, err = a.pushRun(ctx, c, opts)
		return err
	})
	return run, err
}

// syncPush is `usersync sync TARGET`: a full push, reported as a run.
func (a *App) syncPush(ctx context.Context, c connection.Connection, opts SyncOptions) (*reconcile.Report, error) {
	if opts.DryRun {
		return nil, usagef("connection %q is a SCIM push target: a dry run of a push is not supported", c.Name)
	}
	run, err := a.pushRun(ctx, c, PushOptions{Full: true, Trigger: opts.Trigger, Started: opts.Started})
	return &reconcile.Report{Run: run}, err
}

func (a *App) pusher(c connection.Connection) (*scimpush.Pusher, error) {
	client, err := scimpush.NewClient(c)
	if err != nil {
		return nil, usagef("%v", err)
	}
	am, err := scimpush.CompileMappings(c.Mappings)
	if err != nil {
		return nil, usagef("connection %q: %v", c.Name, err)
	}
	return &scimpush.Pusher{Target: c.Name, Client: client, Map: am, Match: c.MatchAttribute,
		Connections: c.PushConnections, Guard: c.DeletionGuard, Store: a.Store}, nil
}

// pushRun records one push run of c, the caller holding c's lease.
func (a *App) pushRun(ctx context.Context, c connection.Connection, opts PushOptions) (store.Run, error) {
	p, err := a.pusher(c)
	if err != nil {
		return store.Run{}, err
	}
	mode := ModePush
	if opts.Full {
		mode = ModePushFull
	}
	trigger := opts.Trigger
	if trigger == "" {
		trigger = store.TriggerManual
	}
	run := store.Run{Connection: c.Name, Trigger: trigger, Mode: mode, Status: store.RunRunning, StartedAt: time.Now().UTC(), Warnings: c.RunWarnings()}
	if run.ID, err = a.Store.CreateRun(ctx, run); err != nil {
		return run, err
	}
	if opts.Started != nil {
		opts.Started(run)
	}
	var res scimpush.Result
	if opts.Full {
		res, err = p.Full(ctx, run.ID, opts.Approve)
	} else {
		res, err = p.Incremental(ctx, run.ID, opts.Approve)
	}
	run.Counts = res.Counts
	fin := time.Now().UTC()
	run.FinishedAt, run.DurationMs = &fin, fin.Sub(run.StartedAt).Milliseconds()
	switch {
	case errors.Is(err, scimpush.ErrHeld):
		run.Status, run.Error = store.RunAwaitingApproval, err.Error()
	case err != nil:
		run.Status, run.Error = store.RunFailed, err.Error()
	default:
		run.Status = store.RunSucceeded
	}
	if uerr := a.Store.UpdateRun(context.WithoutCancel(ctx), run); uerr != nil {
		return run, errors.Join(err, uerr)
	}
	a.Log.Info("push finished", "connection", c.Name, "run", run.ID, "status", run.Status, "position", res.Position,
		"created", run.Created, "updated", run.Updated, "deactivated", run.Deactivated, "failed", run.Failed)
	if err != nil {
		return run, fmt.Errorf("push %q: %w", c.Name, err)
	}
	return run, nil
}

// approvePush approves a push the deletion guard held: a new run pushes
// the held events with the guard lifted, and the held run says which.
func (a *App) approvePush(ctx context.Context, held store.Run) (store.Run, error) {
	run, err := a.Push(ctx, held.Connection, PushOptions{Full: held.Mode == ModePushFull, Approve: true, Trigger: store.TriggerManual})
	if err != nil {
		return held, err
	}
	now := time.Now()
	held.Status, held.FinishedAt, held.Error = store.RunSucceeded, &now, ""
	held.Warnings = append(held.Warnings, fmt.Sprintf("approved at %s: run %d pushed the held deactivations and deletions",
		now.UTC().Format(time.RFC3339), run.ID))
	return held, a.Store.UpdateRun(ctx, held)
}

// PushTargets returns the names of the SCIM push targets.
func (a *App) PushTargets(ctx context.Context) ([]string, error) {
	cs, err := a.Store.ListConnections(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cs {
		if c.IsPushTarget() {
			out = append(out, c.Name)
		}
	}
	return out, nil
}

// RunPushers pushes every target's new events every interval until ctx
// ends. A target whose last run waits for approval is left alone until an
// operator approves or rejects it; a target another instance is pushing is
// skipped, its lease says so.
func (a *App) RunPushers(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		names, err := a.PushTargets(ctx)
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("listing push targets failed", "err", err)
		}
		for _, name := range names {
			if ctx.Err() != nil {
				return
			}
			runs, err := a.Store.ListRuns(ctx, store.RunQuery{Connection: name, Limit: 1})
			if err == nil && len(runs) == 1 && (runs[0].Status == store.RunAwaitingApproval || recentlyFailed(runs[0], every)) {
				continue
			}
			if !a.pushDue(ctx, name) {
				continue
			}
			if _, err := a.Push(ctx, name, PushOptions{Trigger: store.TriggerLive}); err != nil {
				var held *store.LeaseHeldError
				if !errors.As(err, &held) && ctx.Err() == nil {
					a.Log.Warn("push failed; retried on the next tick", "connection", name, "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PushRetryAfterFailure is how long a target whose push failed (it was
// down, or kept answering 5xx) waits before the next try, so that an
// outage does not fill the runs list with a failed run every tick.
const PushRetryAfterFailure = 30 * time.Second

func recentlyFailed(r store.Run, every time.Duration) bool {
	return r.Status == store.RunFailed && r.FinishedAt != nil && time.Since(*r.FinishedAt) < max(PushRetryAfterFailure, every)
}

// pushDue reports whether the feed has events past the target's position,
// so that an idle target records no empty runs.
func (a *App) pushDue(ctx context.Context, name string) bool {
	p := &scimpush.Pusher{Target: name, Store: a.Store}
	pos, err := p.Position(ctx)
	if err != nil {
		return true
	}
	last, err := a.Store.LastEventSeq(ctx)
	return err != nil || last > pos
}

// checkPush reaches the target, authenticates, reads its
// ServiceProviderConfig and says whether it supports PATCH, which a push
// needs to send only what changed.
func checkPush(ctx context.Context, c connection.Connection) (*ldap.CheckResult, error) {
	start := time.Now()
	res := &ldap.CheckResult{Flavor: "SCIM target"}
	client, err := scimpush.NewClient(c)
	if err != nil {
		return res, err
	}
	client.Retries = 1
	cfg, err := client.ServiceProviderConfig(ctx)
	if err != nil {
		return res, fmt.Errorf("check %q: %w", c.Name, err)
	}
	res.Steps = append(res.Steps, fmt.Sprintf("reached %s and authenticated", c.BaseURL))
	res.Steps = append(res.Steps, fmt.Sprintf("ServiceProviderConfig: PATCH %s, filtering %s", supported(cfg.Patch), supported(cfg.Filter)))
	if !cfg.Patch {
		return res, fmt.Errorf("check %q: the target does not support PATCH (RFC 7644 section 3.5.2), which a push needs", c.Name)
	}
	if _, err := client.Find(ctx, "/Users", "userName", "usersync-check"); err != nil {
		return res, fmt.Errorf("check %q: filtered GET /Users: %w", c.Name, err)
	}
	res.Steps = append(res.Steps, "GET /Users with a filter works")
	if n, err := client.Count(ctx, "/Users"); err == nil {
		res.Entries = n
	}
	res.Duration = time.Since(start)
	return res, nil
}

func supported(b bool) string {
	if b {
		return "supported"
	}
	return "not supported"
}
