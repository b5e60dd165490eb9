package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// candidate is an entry whose hash changed: its stored row must be read to
// know which fields changed.
type candidate struct {
	ref    *ref
	ext    string
	userID string
	status string
	fields []mapping.Field
	hash   uint64
	reason string
}

// planner decides, entry by entry, what a run does. It owns the run's counts.
type planner struct {
	j       Job
	users   store.Users
	ix      *index
	locals  map[string]bool
	rep     *Report
	ap      *applier
	fp      string
	buf     []mapping.Field
	created *extSet
	cands   []candidate
	batch   store.Batch
	ops     int
	// token, when set, is saved with the run's last batch.
	token *string
}

func newPlanner(j Job, users store.Users, ix *index, locals map[string]bool, rep *Report, ap *applier) *planner {
	return &planner{j: j, users: users, ix: ix, locals: locals, rep: rep, ap: ap, fp: j.Mapper.Fingerprint(),
		created: newExtSet(), batch: store.Batch{RunID: rep.ID, Connection: j.Conn.Name}}
}

func (p *planner) outcome(o store.Outcome) {
	o.RunID = p.rep.ID
	p.batch.Outcomes = append(p.batch.Outcomes, o)
	p.ops++
}

func (p *planner) plan(ctx context.Context, entries []*directory.Entry) error {
	for _, e := range entries {
		p.planEntry(e)
	}
	if err := p.resolve(ctx); err != nil {
		return err
	}
	if p.ops >= applyBatch {
		return p.emit(ctx)
	}
	return nil
}

func (p *planner) planEntry(e *directory.Entry) {
	p.rep.EntriesRead++
	ext := e.Get(p.j.LinkingKey)
	if ext == "" {
		p.rep.Skipped++
		p.outcome(store.Outcome{ExternalID: e.DN, Action: store.ActionSkipped,
			Reason: fmt.Sprintf("entry %s has no %s, the linking key", e.DN, p.j.LinkingKey)})
		return
	}
	userID, fields := p.j.Mapper.Map(e, p.buf)
	p.buf = fields
	if userID == "" {
		p.rep.Skipped++
		p.outcome(store.Outcome{ExternalID: ext, Action: store.ActionSkipped,
			Reason: fmt.Sprintf("entry %s has no value for userId", e.DN)})
		return
	}
	if p.locals[strings.ToLower(userID)] {
		p.rep.Skipped++
		p.outcome(store.Outcome{ExternalID: ext, UserID: userID, Action: store.ActionSkipped,
			Reason: fmt.Sprintf("conflict: a local user %q exists; local users are never modified by sync", userID)})
		if r := p.ix.lookup(ext); r != nil {
			r.seen = true // not gone from the directory, only in conflict
		}
		return
	}
	disabled := isDisabled(p.j.Flavor, e)
	status := store.StatusActive
	if disabled {
		status = store.StatusInactive
	}
	h := entryHash(p.fp, userID, status, fields)
	r := p.ix.lookup(ext)
	if r == nil {
		switch {
		case p.created.has(ext):
			p.rep.Failed++
			p.outcome(store.Outcome{ExternalID: ext, UserID: userID, Action: store.ActionFailed,
				Reason: fmt.Sprintf("two entries share %s %q; the second (%s) was ignored", p.j.LinkingKey, ext, e.DN)})
		case disabled:
			p.rep.Skipped++
			p.outcome(store.Outcome{ExternalID: ext, UserID: userID, Action: store.ActionSkipped,
				Reason: "account is disabled in the directory; disabled accounts are not provisioned"})
		default:
			p.created.add(ext)
			p.rep.Created++
			p.batch.Creates = append(p.batch.Creates, store.User{Connection: p.j.Conn.Name, ExternalID: ext, UserID: userID,
				Status: store.StatusActive, Source: store.SourceDirectory, Fields: fieldMap(fields), Hash: h})
			p.outcome(store.Outcome{ExternalID: ext, UserID: userID, Action: store.ActionCreated})
		}
		return
	}
	if r.seen {
		p.rep.Failed++
		p.outcome(store.Outcome{UserRowID: r.id, ExternalID: ext, UserID: userID, Action: store.ActionFailed,
			Reason: fmt.Sprintf("two entries share %s %q; the second (%s) was ignored", p.j.LinkingKey, ext, e.DN)})
		return
	}
	r.seen = true
	if r.hash == h && r.active == !disabled {
		p.rep.Unchanged++
		return
	}
	reason := ""
	if disabled && r.active {
		reason = "account is disabled in the directory"
	}
	p.cands = append(p.cands, candidate{ref: r, ext: ext, userID: userID, status: status,
		fields: append([]mapping.Field(nil), fields...), hash: h, reason: reason})
}

func fieldMap(fields []mapping.Field) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Name] = f.Value
	}
	return m
}

// resolve reads the stored rows of changed entries in one query and turns
// each into an update with its field-by-field changes.
func (p *planner) resolve(ctx context.Context) error {
	if len(p.cands) == 0 {
		return nil
	}
	ids := make([]int64, len(p.cands))
	for i, c := range p.cands {
		ids[i] = c.ref.id
	}
	users, err := p.users.GetUsers(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]store.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	for _, c := range p.cands {
		old, ok := byID[c.ref.id]
		if !ok {
			return fmt.Errorf("reconcile: user %d vanished from the store during the run", c.ref.id)
		}
		p.update(old, c)
	}
	p.cands = p.cands[:0]
	return nil
}

func (p *planner) update(old store.User, c candidate) {
	// An empty directory value does not clear a field: only mapped,
	// non-empty values overwrite (seed 004).
	next := make(map[string]string, len(old.Fields)+len(c.fields))
	for k, v := range old.Fields {
		next[k] = v
	}
	var changes []store.FieldChange
	if old.UserID != c.userID {
		changes = append(changes, store.FieldChange{Field: "userId", Old: old.UserID, New: c.userID})
	}
	if old.Status != c.status {
		changes = append(changes, store.FieldChange{Field: "status", Old: old.Status, New: c.status})
	}
	for _, f := range c.fields {
		if next[f.Name] != f.Value {
			changes = append(changes, store.FieldChange{Field: f.Name, Old: next[f.Name], New: f.Value})
			next[f.Name] = f.Value
		}
	}
	u := store.User{ID: old.ID, UserID: c.userID, Status: c.status, Fields: next, Hash: c.hash}
	p.batch.Updates = append(p.batch.Updates, u)
	p.ops++
	c.ref.hash = c.hash
	if len(changes) == 0 {
		// Only the hash moved (say, a cleared attribute that is kept): record
		// the new hash silently so the next run skips the entry.
		p.rep.Unchanged++
		return
	}
	wasActive := c.ref.active
	c.ref.active = c.status == store.StatusActive
	action := store.ActionUpdated
	if wasActive && !c.ref.active {
		action = store.ActionDeactivated
		p.rep.Deactivated++
		p.ix.active--
	} else {
		p.rep.Updated++
		if !wasActive && c.ref.active {
			p.ix.active++
		}
	}
	p.outcome(store.Outcome{UserRowID: old.ID, ExternalID: c.ext, UserID: c.userID, Action: action, Reason: c.reason, Changes: changes})
}

func (p *planner) emit(ctx context.Context) error {
	if p.batch.Empty() {
		return nil
	}
	b := p.batch
	p.batch = store.Batch{RunID: p.rep.ID, Connection: p.j.Conn.Name}
	p.ops = 0
	return p.ap.send(ctx, b, p.rep.Run)
}

// flush writes what was planned so far, after a failed read: creates and
// updates of entries that were read are still true.
func (p *planner) flush(ctx context.Context) {
	if p.resolve(ctx) == nil {
		_ = p.emit(ctx)
	}
}

// finish runs after a complete, error-free read: it finds the users that
// left the directory and deactivates them, unless the read was empty or the
// deletion guard holds the run.
func (p *planner) finish(ctx context.Context) error {
	if err := p.resolve(ctx); err != nil {
		return err
	}
	var gone []*ref
	var goneExt []string
	for i := range p.ix.refs {
		if r := &p.ix.refs[i]; !r.seen && r.active {
			gone = append(gone, r)
			goneExt = append(goneExt, p.ix.ext(r))
		}
	}
	if len(gone) > 0 && p.rep.EntriesRead == 0 {
		if err := p.emit(ctx); err != nil {
			return err
		}
		return fmt.Errorf("%w for %q under %q, yet %d users are active: an empty read is never trusted, so nobody was deactivated",
			ErrEmptyRead, p.j.Conn.SearchFilter, p.j.Conn.SearchPath, len(gone))
	}
	return p.deactivate(ctx, gone, goneExt)
}

// deactivate deactivates the users that left the directory, unless the
// deletion guard holds the run, then writes the last batch with the run's
// change token (DESIGN.md invariant 3).
func (p *planner) deactivate(ctx context.Context, gone []*ref, goneExt []string) error {
	guard := p.j.Conn.DeletionGuard
	if guard.Trips(len(gone), p.ix.active) {
		for i, r := range gone {
			p.outcome(store.Outcome{UserRowID: r.id, ExternalID: goneExt[i], UserID: p.ix.userID(r), Action: store.ActionPendingDeactivation,
				Reason: "no longer found in the directory; held by the deletion guard"})
		}
		p.rep.PendingDeactivations = len(gone)
		if err := p.emit(ctx); err != nil {
			return err
		}
		return fmt.Errorf("%w: it would deactivate %d of %d active users (%.1f%%), above the guard (maxCount %d, maxPercent %g%%); approve with `usersync runs approve %d` or reject with `usersync runs reject %d`",
			ErrGuardTipped, len(gone), p.ix.active, float64(len(gone))*100/float64(p.ix.active), guard.MaxCount, guard.MaxPercent, p.rep.ID, p.rep.ID)
	}
	for i, r := range gone {
		p.batch.Deactivate = append(p.batch.Deactivate, r.id)
		p.outcome(store.Outcome{UserRowID: r.id, ExternalID: goneExt[i], UserID: p.ix.userID(r), Action: store.ActionDeactivated,
			Reason: "no longer found in the directory under the search path and filter"})
		p.rep.Deactivated++
		r.active = false
		if p.ops >= applyBatch {
			if err := p.emit(ctx); err != nil {
				return err
			}
		}
	}
	p.batch.Token = p.token
	return p.emit(ctx)
}
