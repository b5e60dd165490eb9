package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// guardWindow is how far back the deletion guard counts a SCIM client's
// deactivations: a client deactivates one user per request, so the guard
// judges the burst those requests make together rather than each alone.
const guardWindow = 10 * time.Minute

// Reasons of the deactivations a SCIM hold records; ApproveRun tells a
// soft delete from a DELETE by them.
const (
	scimSoftDeleteReason = "account is disabled in the directory"
	scimDeleteReason     = "deleted from the directory or moved out of the search scope (live)"
)

// leaving returns the SCIM id of the user a batch of changes would take
// away (a DELETE, or active false), and whether it is a DELETE.
func leaving(ch reconcile.Changes) (ext string, del bool) {
	if len(ch.Deletes) == 1 {
		return ch.Deletes[0], true
	}
	if len(ch.Upserts) == 1 && strings.EqualFold(ch.Upserts[0].Get("active"), "false") {
		return ch.Upserts[0].Get("id"), false
	}
	return "", false
}

// guard applies the deletion guard to a SCIM write that deactivates or
// deletes an active user. While a SCIM run of the connection waits for
// approval, the deactivation joins it and the client is told to retry.
// Otherwise the deactivations of the connection's SCIM runs in the last
// guardWindow count with this one: when together they trip the guard,
// the connection's guard is set to hold any deactivation, so that the
// engine records this run as held. It returns the connection to run with.
func (b *SCIMBackend) guard(ctx context.Context, c connection.Connection, ch reconcile.Changes) (_ connection.Connection, forced bool, _ error) {
	ext, del := leaving(ch)
	if ext == "" || c.DeletionGuard.Disabled {
		return c, false, nil
	}
	entries, active, err := b.a.Store.IndexEntries(ctx, c.Name, []string{ext})
	if err != nil {
		return c, false, err
	}
	var row *store.IndexEntry
	if len(entries) == 1 {
		row = &entries[0]
	}
	if row == nil || (row.Status != store.StatusActive && !(del && c.LeavePolicy.Action == connection.LeaveDelete)) {
		return c, false, nil // nobody active leaves
	}
	held, err := b.a.Store.ListRuns(ctx, store.RunQuery{Connection: c.Name, Status: store.RunAwaitingApproval, Limit: 1})
	if err != nil {
		return c, false, err
	}
	if len(held) == 1 && held[0].Trigger == store.TriggerSCIM {
		return c, false, b.join(ctx, c, held[0], *row, del)
	}
	recent, err := b.recentDeactivations(ctx, c.Name)
	if err != nil {
		return c, false, err
	}
	if c.DeletionGuard.Trips(recent+1, active+recent) {
		c.DeletionGuard = connection.DeletionGuard{} // holds any deactivation
		return c, true, nil
	}
	return c, false, nil
}

// recentDeactivations counts what the connection's SCIM runs deactivated
// or deleted within guardWindow, leaving out runs an operator approved.
func (b *SCIMBackend) recentDeactivations(ctx context.Context, conn string) (int, error) {
	runs, err := b.a.Store.ListRuns(ctx, store.RunQuery{Connection: conn, Limit: 1000})
	if err != nil {
		return 0, err
	}
	since := time.Now().Add(-guardWindow)
	n := 0
	for _, r := range runs {
		if r.StartedAt.Before(since) {
			break
		}
		if r.Trigger == store.TriggerSCIM && !strings.Contains(strings.Join(r.Warnings, "\n"), " approved at ") {
			n += r.Deactivated + r.Deleted
		}
	}
	return n, nil
}

// join adds a deactivation to the SCIM run that waits for approval,
// unless it is already there, and answers the client to retry.
func (b *SCIMBackend) join(ctx context.Context, c connection.Connection, run store.Run, row store.IndexEntry, del bool) error {
	retry := &scim.Error{Status: http.StatusTooManyRequests, RetryAfter: guardRetryAfter, Err: reconcile.ErrGuardTipped,
		Detail: fmt.Sprintf("the deletion guard holds this connection's deactivations for an operator's approval (run %d); retry later", run.ID)}
	for _, action := range []string{store.ActionPendingDeactivation, store.ActionPendingDeletion} {
		outs, err := b.a.Store.ListOutcomes(ctx, run.ID, store.OutcomeQuery{Action: action})
		if err != nil {
			return err
		}
		for _, o := range outs {
			if o.UserRowID == row.ID {
				return retry
			}
		}
	}
	o := store.Outcome{RunID: run.ID, UserRowID: row.ID, ExternalID: row.ExternalID, UserID: row.UserID,
		Action: store.ActionPendingDeactivation, Reason: scimSoftDeleteReason + "; held by the deletion guard"}
	if del {
		o.Reason = scimDeleteReason + "; held by the deletion guard"
		if c.LeavePolicy.Action == connection.LeaveDelete {
			o.Action = store.ActionPendingDeletion
		}
	}
	if id := scim.RequestID(ctx); id != "" {
		o.Warnings = []string{"SCIM request " + id}
	}
	if err := b.a.Store.Apply(ctx, store.Batch{RunID: run.ID, Connection: c.Name, Outcomes: []store.Outcome{o}}); err != nil {
		return err
	}
	run.PendingDeactivations++
	if err := b.a.Store.UpdateRun(ctx, run); err != nil {
		return err
	}
	return retry
}

// scimStillLeaving drops, from a held SCIM run's pending deactivations,
// the soft deletes the client took back while the run waited (the user's
// resource is active again): approving must not deactivate them.
func (a *App) scimStillLeaving(ctx context.Context, run store.Run, pending []store.Outcome) []store.Outcome {
	if run.Trigger != store.TriggerSCIM {
		return pending
	}
	b := NewSCIMBackend(a)
	var out []store.Outcome
	for _, o := range pending {
		if strings.HasPrefix(o.Reason, scimSoftDeleteReason) {
			s, err := b.Get(ctx, run.Connection, scim.KindUser, o.ExternalID)
			if err == nil && s.Resource["active"] != false {
				continue
			}
		}
		out = append(out, o)
	}
	return out
}
