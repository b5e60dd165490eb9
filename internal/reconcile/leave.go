package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// leaver is a user who left the directory or the scope, and what the leave
// policy does to it.
type leaver struct {
	ref    *ref
	ext    string
	reason string
	delete bool
}

const goneReason = "no longer found in the directory under the search path and filter"

// leaverFor applies the connection's leave policy to one user who left
// the directory or the scope, whichever kind of run noticed: deactivate
// (the default), delete, or deactivate and delete once inactive for more
// than AfterDays. It reports false when the policy does nothing to the
// user (an inactive user under the deactivate policy).
func (p *planner) leaverFor(ext string, r *ref, reason string) (leaver, bool) {
	pol := p.j.Conn.LeavePolicy
	switch {
	case pol.Action == connection.LeaveDelete:
		return leaver{r, ext, reason, true}, true
	case r.active:
		return leaver{r, ext, reason, false}, true
	case pol.Action == connection.LeaveDeactivateThenDelete:
		now := time.Now
		if p.j.Now != nil {
			now = p.j.Now
		}
		cutoff := now().Add(-time.Duration(pol.AfterDays) * 24 * time.Hour).Unix()
		if since := p.ix.inactiveSince(r); since != 0 && since < cutoff {
			return leaver{r, ext, fmt.Sprintf("%s, and inactive for more than %d days", reason, pol.AfterDays), true}, true
		}
	}
	return leaver{}, false
}

// leavers are the users a full run did not see, with what the leave policy
// does to each.
func (p *planner) leavers() []leaver {
	var out []leaver
	p.ix.each(func(ext string, r *ref) {
		if r.seen {
			return
		}
		reason := goneReason
		if exit, ok := p.outOfScope[r]; ok {
			reason = exit.reason
		}
		if l, ok := p.leaverFor(ext, r, reason); ok {
			out = append(out, l)
		}
	})
	return out
}

// finish runs after a complete, error-free read: it finds the users that
// left the directory or the scope and applies the leave policy to them,
// unless the read was empty or the deletion guard holds the run.
func (p *planner) finish(ctx context.Context) error {
	if err := p.resolve(ctx); err != nil {
		return err
	}
	gone := p.leavers()
	if len(gone) > 0 && p.rep.EntriesRead == 0 {
		if err := p.emit(ctx); err != nil {
			return err
		}
		return fmt.Errorf("%w for %q under %q, yet %d users are active: an empty read is never trusted, so nobody was deactivated",
			ErrEmptyRead, p.j.Conn.SearchFilter, p.j.Conn.SearchPath, len(gone))
	}
	gone, err := p.spareRestorable(ctx, gone)
	if err != nil {
		if eerr := p.emit(ctx); eerr != nil {
			return eerr
		}
		return err
	}
	p.settleToken()
	if err := p.leave(ctx, gone, p.j.token); err != nil {
		return err
	}
	p.stillGone()
	return nil
}

// stillGone tells the group phase of the inactive users a complete read
// did not see and the leave policy left alone (they left in an earlier
// run): a user who is not in the directory holds nothing the directory
// gives, even one that left before this rule, or while group rules were
// off. Retired users are not leavers and are left alone.
func (p *planner) stillGone() {
	if p.j.Groups == nil {
		return
	}
	p.ix.each(func(ext string, r *ref) {
		if !r.seen && !r.active && !store.IsRetiredExternalID(ext) {
			p.j.Groups.Leave(ext, p.ix.userID(r))
		}
	})
}

// leave passes the leavers through the deletion guard and, when it lets
// them through, deletes or deactivates each as its policy says, clearing
// the fields the mapping clears on leave. token is saved with the last
// batch. Every kind of run ends with it, so a leaver is treated the same
// whichever run notices.
func (p *planner) leave(ctx context.Context, gone []leaver, token *string) error {
	if err := p.guardTrips(gone); err != nil {
		if eerr := p.emit(ctx); eerr != nil {
			return eerr
		}
		return err
	}
	clear := p.j.Mapper.ClearOnLeave()
	changes, err := p.leaveChanges(ctx, gone, clear)
	if err != nil {
		return err
	}
	for _, g := range gone {
		if g.delete {
			p.batch.Delete = append(p.batch.Delete, g.ref.id)
			p.outcome(store.Outcome{UserRowID: g.ref.id, ExternalID: g.ext, UserID: p.ix.userID(g.ref), Action: store.ActionDeleted, Reason: g.reason})
			p.rep.Deleted++
			if g.ref.active {
				p.ix.active--
			}
		} else {
			p.batch.Deactivate = append(p.batch.Deactivate, g.ref.id)
			p.batch.ClearOnDeactivate = clear
			p.outcome(store.Outcome{UserRowID: g.ref.id, ExternalID: g.ext, UserID: p.ix.userID(g.ref), Action: store.ActionDeactivated, Reason: g.reason,
				Changes: changes[g.ref.id]})
			p.rep.Deactivated++
			p.ix.active--
			if p.j.Groups != nil {
				p.j.Groups.Leave(g.ext, p.ix.userID(g.ref))
			}
		}
		g.ref.active = false
		g.ref.seen = true
		if p.ops >= applyBatch {
			if err := p.emit(ctx); err != nil {
				return err
			}
		}
	}
	p.batch.Token = token // saved in the same transaction as the run's last changes
	return p.emit(ctx)
}
