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

// leavers applies the connection's leave policy to the users not seen in
// this run: deactivate them (the default), delete them, or deactivate them
// and delete those inactive for more than AfterDays.
func (p *planner) leavers() []leaver {
	pol := p.j.Conn.LeavePolicy
	now := time.Now
	if p.j.Now != nil {
		now = p.j.Now
	}
	cutoff := now().Add(-time.Duration(pol.AfterDays) * 24 * time.Hour).Unix()
	var out []leaver
	p.ix.each(func(ext string, r *ref) {
		if r.seen {
			return
		}
		reason := goneReason
		if exit, ok := p.outOfScope[r]; ok {
			reason = exit.reason
		}
		switch {
		case pol.Action == connection.LeaveDelete:
			out = append(out, leaver{r, ext, reason, true})
		case r.active:
			out = append(out, leaver{r, ext, reason, false})
		case pol.Action == connection.LeaveDeactivateThenDelete:
			if since := p.ix.inactiveSince(r); since != 0 && since < cutoff {
				out = append(out, leaver{r, ext, fmt.Sprintf("%s, and inactive for more than %d days", reason, pol.AfterDays), true})
			}
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
	if err := p.guardTrips(gone); err != nil {
		if eerr := p.emit(ctx); eerr != nil {
			return eerr
		}
		return err
	}
	clear := p.j.Mapper.ClearOnLeave()
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
			p.outcome(store.Outcome{UserRowID: g.ref.id, ExternalID: g.ext, UserID: p.ix.userID(g.ref), Action: store.ActionDeactivated, Reason: g.reason})
			p.rep.Deactivated++
			p.ix.active--
		}
		g.ref.active = false
		if p.ops >= applyBatch {
			if err := p.emit(ctx); err != nil {
				return err
			}
		}
	}
	p.batch.Token = p.j.token // saved with the run's last changes (invariant 3)
	return p.emit(ctx)
}
