package reconcile

import (
	"fmt"

	"github.com/usersync/usersync/internal/store"
)

// guardTrips applies the deletion guard to what the
// run would take away: the users that left (leaving) and the deactivations
// the directory stated outright and the planner held during the read
// (disabled accounts, the group status rule). When it trips, nothing of it
// is applied: every one of them is recorded as pending for an operator,
// and the error says so. Otherwise the held deactivations join the batch.
func (p *planner) guardTrips(leaving []leaver) error {
	held := len(p.held.Updates)
	total := len(leaving) + held
	// update() already took the held users off the active count.
	active := p.ix.active + held
	guard := p.j.Conn.DeletionGuard
	if !guard.Trips(total, active) {
		p.release()
		return nil
	}
	deletes := 0
	for _, l := range leaving {
		action := store.ActionPendingDeactivation
		if l.delete {
			action = store.ActionPendingDeletion
			deletes++
		}
		p.outcome(store.Outcome{UserRowID: l.ref.id, ExternalID: l.ext, UserID: p.ix.userID(l.ref), Action: action,
			Reason: l.reason + "; held by the deletion guard"})
	}
	for _, o := range p.held.Outcomes {
		o.Action = store.ActionPendingDeactivation
		o.Reason += "; held by the deletion guard"
		p.outcome(o)
	}
	p.rep.Deactivated -= held
	p.held = store.Batch{}
	p.rep.PendingDeactivations = total
	return fmt.Errorf("%w: it would deactivate or delete %d of %d active users (%.1f%%; %d deletions), above the guard (maxCount %d, maxPercent %g%%); approve with `usersync runs approve %d` or reject with `usersync runs reject %d`",
		ErrGuardTipped, total, active, float64(total)*100/float64(max(active, 1)), deletes, guard.MaxCount, guard.MaxPercent, p.rep.ID, p.rep.ID)
}
