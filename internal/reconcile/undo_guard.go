package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// heldUserIDs leaves alone, as conflicts, the users the undo would
// activate, rename or restore under a userId another active user now
// holds: userIds stay unique, and one such user must not fail the rest.
func (p *UndoPlan) heldUserIDs(ctx context.Context, st UndoState, order []*userUndo) error {
	want := map[string]*userUndo{}
	restores := map[string]int{}
	var keys []string
	for _, u := range order {
		if len(u.changes) == 0 || u.next.Status != store.StatusActive {
			continue
		}
		if u.cur.Status == store.StatusActive && strings.EqualFold(u.next.UserID, u.cur.UserID) {
			continue
		}
		k := strings.ToLower(u.next.UserID)
		want[k] = u
		keys = append(keys, u.next.UserID)
	}
	for i, c := range p.Batch.Creates {
		if c.Status == store.StatusActive {
			restores[strings.ToLower(c.UserID)] = i
			keys = append(keys, c.UserID)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	holders, err := st.FindActiveUsers(ctx, keys)
	if err != nil {
		return err
	}
	dropped := map[int]bool{}
	for _, h := range holders {
		k := strings.ToLower(h.UserID)
		if u := want[k]; u != nil && u.cur.ID != h.ID {
			p.conflict(Conflict{UserRowID: u.cur.ID, UserID: u.cur.UserID, Field: "userId", Before: u.next.UserID, After: u.cur.UserID,
				Now: fmt.Sprintf("%s is held by active user %d", h.UserID, h.ID)})
			u.changes = nil
			p.dropMemberships(u.cur.ID)
		}
		if i, ok := restores[k]; ok && !dropped[i] {
			dropped[i] = true
			c := p.Batch.Creates[i]
			p.conflict(Conflict{UserID: c.UserID, Field: "userId", Before: c.UserID, After: "deleted", Now: fmt.Sprintf("held by active user %d", h.ID)})
		}
	}
	if len(dropped) > 0 {
		creates, outs := p.Batch.Creates[:0], p.Batch.Outcomes[:0]
		for i, c := range p.Batch.Creates {
			if !dropped[i] {
				creates = append(creates, c)
				outs = append(outs, p.Batch.Outcomes[i])
			}
		}
		p.Batch.Creates, p.Batch.Outcomes = creates, outs
		p.Counts.Created -= len(dropped)
	}
	return nil
}

// dropMemberships forgets the membership changes planned for a user the
// undo leaves alone.
func (p *UndoPlan) dropMemberships(row int64) {
	keep := func(ms []store.Membership) []store.Membership {
		out := ms[:0]
		for _, m := range ms {
			if m.UserRowID != row {
				out = append(out, m)
			}
		}
		return out
	}
	p.Memberships.Add, p.Memberships.Remove = keep(p.Memberships.Add), keep(p.Memberships.Remove)
	su := p.Memberships.SuperUser[:0]
	for _, c := range p.Memberships.SuperUser {
		if c.UserRowID != row {
			su = append(su, c)
		}
	}
	p.Memberships.SuperUser = su
}

// held keeps a deactivating update aside until the deletion guard lets it
// through (Guard).
func (p *UndoPlan) held(next, cur store.User) {
	p.heldUpdates = append(p.heldUpdates, next)
	p.heldCur = append(p.heldCur, cur)
}

// holdStatusOnly is the part of held deactivation i that does not wait for
// approval: its fields and userId go back at once, recorded as an update
// of their own so that an undo of this undo finds them; only the status
// change waits (approval clears the fields a leave clears). Membership
// changes are applied at once too, so they are recorded here as well.
func (p *UndoPlan) holdStatusOnly(i int) {
	next, cur, o := p.heldUpdates[i], p.heldCur[i], p.Deactivate[i]
	next.Status = cur.Status
	var changes []store.FieldChange
	for _, ch := range o.Changes {
		if ch.Field != "status" {
			changes = append(changes, ch)
		}
	}
	if len(changes) == 0 {
		return
	}
	p.Batch.Updates = append(p.Batch.Updates, next)
	o.Action, o.Changes = store.ActionUpdated, changes
	p.Batch.Outcomes = append(p.Batch.Outcomes, o)
	p.Counts.Updated++
}

// Guard applies the connection's deletion guard to the users the undo
// would deactivate, out of active users. When it lets them through, their
// updates join the batch; when it trips, each is recorded as a pending
// deactivation for an operator to approve, and Guard returns
// ErrGuardTipped.
func (p *UndoPlan) Guard(guard connection.DeletionGuard, active int, runID int64) error {
	n := len(p.Deactivate) + len(p.deletes)
	if n == 0 {
		return nil
	}
	if !guard.Trips(n, active) {
		p.Batch.Updates = append(p.Batch.Updates, p.heldUpdates...)
		p.Batch.Outcomes = append(p.Batch.Outcomes, p.Deactivate...)
		p.Counts.Deactivated += len(p.Deactivate)
		for _, o := range p.deletes {
			p.Batch.Delete = append(p.Batch.Delete, o.UserRowID)
			p.Batch.Outcomes = append(p.Batch.Outcomes, o)
		}
		p.Counts.Deleted += len(p.deletes)
		return nil
	}
	for i := range p.Deactivate {
		p.holdStatusOnly(i)
	}
	for _, o := range p.Deactivate {
		o.Action = store.ActionPendingDeactivation
		o.Reason += "; held by the deletion guard"
		p.Batch.Outcomes = append(p.Batch.Outcomes, o)
	}
	for _, o := range p.deletes {
		o.Action = store.ActionPendingDeletion
		o.Reason += "; held by the deletion guard"
		p.Batch.Outcomes = append(p.Batch.Outcomes, o)
	}
	p.Counts.PendingDeactivations = n
	return fmt.Errorf("%w: the undo would deactivate or delete %d of %d active users, above the guard (maxCount %d, maxPercent %g%%); approve with `usersync runs approve %d` or reject with `usersync runs reject %d`",
		ErrGuardTipped, n, active, guard.MaxCount, guard.MaxPercent, runID, runID)
}
