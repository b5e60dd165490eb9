package reconcile

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// scopeExit is a known user whose entry no longer passes the scope.
type scopeExit struct {
	ext    string
	reason string
}

// candidate is an entry whose hash changed: its stored row must be read to
// know which fields changed.
type candidate struct {
	ref    *ref
	ext    string
	status string
	res    mapping.Result
	hash   uint64
	reason string
}

// planner decides, entry by entry, what a run does. It owns the run's counts.
type planner struct {
	j       Job
	users   store.Users
	ix      *index
	rules   Rules
	rep     *Report
	ap      *applier
	fp      uint64 // fingerprintHash of the mapper's fingerprint
	res     mapping.Result
	created *extSet
	cands   []candidate
	// held collects deactivations of entries the directory marks
	// disabled until the read is complete.
	held  store.Batch
	batch store.Batch
	ops   int
	// outOfScope holds why known users are out of scope; they are not
	// marked seen, so finish treats them like users who left.
	outOfScope map[*ref]scopeExit
	// claims are the userIds this run gave to active users.
	claims userIDClaims
	// uniq checks SelectUniqueValue's candidates.
	uniq *runUniques
	// tag, when set, is added to the warnings of every outcome recorded.
	tag  string
	tags map[string]string
}

func newPlanner(ctx context.Context, j Job, users store.Users, ix *index, locals map[string]bool, rep *Report, ap *applier) *planner {
	return &planner{j: j, users: users, ix: ix, rules: RulesFor(j, locals), rep: rep, ap: ap, fp: fingerprintHash(j.Mapper.Fingerprint()),
		created: newExtSet(), outOfScope: map[*ref]scopeExit{}, batch: store.Batch{RunID: rep.ID, Connection: j.Conn.Name},
		uniq: newRunUniques(ctx, users, j.Conn.Name)}
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

// planEntry does a run's bookkeeping for one entry: it asks Decide what
// happens to it, then counts, records and batches that against the index
// (duplicates, identity changes, creates, changed fields).
func (p *planner) planEntry(e *directory.Entry) {
	p.rep.EntriesRead++
	ext := e.Get(p.j.LinkingKey)
	var r *ref
	if ext != "" {
		r = p.ix.lookup(ext)
	}
	res := &p.res
	res.Unique = p.uniq.forEntry(ext)
	d := Decide(p.rules, e, r != nil, res)
	switch d.Kind {
	case KindOutOfScope:
		if r != nil && !r.seen {
			// The user leaves: the leave policy decides at the end of the
			// run, as for a user whose entry is gone.
			p.outOfScope[r] = scopeExit{ext: ext, reason: d.Reason}
			if r.active {
				return
			}
		}
		// Never provisioned (or already inactive): to keep runs cheap when
		// a scope excludes most of a directory, counted without a per-user
		// record.
		p.rep.Skipped++
		return
	case KindSkip, KindFail:
		// Neither in nor out: a stored user stays as it is, and is not
		// treated as gone.
		o := store.Outcome{ExternalID: ext, UserID: d.UserID, Action: d.Action, Reason: d.Reason}
		switch {
		case d.Cause == CauseNoLinkingKey:
			o.ExternalID = e.DN
		case d.Cause == CauseMappingFailed:
			o.Warnings = copyStrings(res.Warnings)
		}
		if d.Kind == KindFail {
			p.rep.Failed++
		} else {
			p.rep.Skipped++
		}
		if r != nil {
			o.UserRowID = r.id
			r.seen = true
		}
		p.outcome(o)
		return
	}
	userID, status := d.UserID, d.Status
	h := entryHashFrom(p.fp, userID, status, res.Fields)
	r = p.relink(r, ext, userID)
	if r == nil {
		if p.created.has(ext) {
			if p.rules.Groups != nil {
				p.rules.Groups.Take(ext) // the user keeps what its own entry gave it
			}
			p.rep.Failed++
			p.outcome(store.Outcome{ExternalID: ext, UserID: userID, Action: store.ActionFailed,
				Reason: fmt.Sprintf("two entries share %s %q; the second (%s) was ignored", p.j.LinkingKey, ext, e.DN)})
			return
		}
		if d = d.AsNew(); d.Kind == KindSkip {
			p.rep.Skipped++
			p.outcome(store.Outcome{ExternalID: ext, UserID: userID, Action: d.Action, Reason: d.Reason})
			return
		}
		p.created.add(ext)
		p.rep.Created++
		uid, fields := p.j.Mapper.Create(res)
		var g Grant
		if p.rules.Groups != nil {
			g = p.rules.Groups.Take(ext)
		}
		p.batch.Creates = append(p.batch.Creates, store.User{Connection: p.j.Conn.Name, ExternalID: ext, UserID: uid,
			Status: status, Source: store.SourceDirectory, Fields: fields, Hash: h, SuperUser: g.SuperUser, Memberships: g.Memberships})
		p.outcome(store.Outcome{ExternalID: ext, UserID: uid, Action: store.ActionCreated, Reason: d.Reason, Changes: g.Changes,
			Warnings: copyStrings(res.Warnings)})
		return
	}
	if r.seen {
		p.rep.Failed++
		p.outcome(store.Outcome{UserRowID: r.id, ExternalID: ext, UserID: userID, Action: store.ActionFailed,
			Reason: fmt.Sprintf("two entries share %s %q; the second (%s) was ignored", p.j.LinkingKey, ext, e.DN)})
		return
	}
	r.seen = true
	delete(p.outOfScope, r)
	if r.hash == h && r.active == (status == store.StatusActive) {
		p.rep.Unchanged++
		return
	}
	reason := ""
	if r.active && status != store.StatusActive {
		reason = d.Reason
	}
	p.cands = append(p.cands, candidate{ref: r, ext: ext, status: status, res: res.Clone(), hash: h, reason: reason})
}

func copyStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
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

// update asks the mapper what the stored user becomes (policies, strength,
// empty values are the mapper's business) and records what changed.
func (p *planner) update(old store.User, c candidate) {
	userID, next, mchanges := p.j.Mapper.Update(&c.res, old.UserID, old.Fields)
	changes := make([]store.FieldChange, 0, len(mchanges)+1)
	for _, ch := range mchanges {
		changes = append(changes, store.FieldChange{Field: ch.Field, Old: ch.Old, New: ch.New})
	}
	if old.Status != c.status {
		changes = append(changes, store.FieldChange{Field: "status", Old: old.Status, New: c.status})
	}
	u := store.User{ID: old.ID, UserID: userID, Status: c.status, Fields: next, Hash: c.hash}
	c.ref.hash = c.hash
	if c.ref.active && c.status != store.StatusActive {
		// A deactivation waits for the end of a complete read, even one
		// the directory states outright.
		p.held.Updates = append(p.held.Updates, u)
		p.held.Outcomes = append(p.held.Outcomes, store.Outcome{RunID: p.rep.ID, UserRowID: old.ID, ExternalID: c.ext, UserID: userID,
			Action: store.ActionDeactivated, Reason: c.reason, Changes: changes, Warnings: copyStrings(c.res.Warnings)})
		c.ref.active = false
		p.rep.Deactivated++
		p.ix.active--
		return
	}
	p.batch.Updates = append(p.batch.Updates, u)
	p.ops++
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
	p.outcome(store.Outcome{UserRowID: old.ID, ExternalID: c.ext, UserID: userID, Action: action, Reason: c.reason,
		Changes: changes, Warnings: copyStrings(c.res.Warnings)})
}

func (p *planner) emit(ctx context.Context) error {
	if p.batch.Empty() {
		return nil
	}
	if err := p.checkUserIDs(ctx); err != nil {
		return err
	}
	// A new user given memberships or the super-user flag counts as a
	// membership change once it is sure to be created: checkUserIDs may
	// have refused it.
	for _, u := range p.batch.Creates {
		if len(u.Memberships) > 0 || u.SuperUser {
			p.rep.MembershipChanges++
		}
	}
	if p.tag != "" || p.tags != nil {
		for i := range p.batch.Outcomes {
			tag := p.tag
			if t, ok := p.tags[p.batch.Outcomes[i].ExternalID]; ok {
				tag = t
			}
			if tag != "" {
				p.batch.Outcomes[i].Warnings = append(p.batch.Outcomes[i].Warnings, tag)
			}
		}
	}
	b := p.batch
	// The next batch is likely to be like this one (a first sync creates
	// user after user): sized from it, its slices need not grow by
	// doubling, which made a full sync copy and discard every batch twice.
	p.batch = store.Batch{RunID: p.rep.ID, Connection: p.j.Conn.Name,
		Creates: make([]store.User, 0, len(b.Creates)), Outcomes: make([]store.Outcome, 0, len(b.Outcomes))}
	p.ops = 0
	return p.ap.send(ctx, b, p.rep.Run)
}

// flush writes what was planned so far, after a failed read: creates and
// updates of entries that were read are still true. Held deactivations are
// dropped: an incomplete read deactivates nobody.
func (p *planner) flush(ctx context.Context) {
	if p.resolve(ctx) == nil {
		p.rep.Deactivated -= len(p.held.Updates)
		p.held = store.Batch{}
		_ = p.emit(ctx)
	}
}

// release adds the deactivations held during the read to the batch, once
// the read is known to be complete.
func (p *planner) release() {
	p.batch.Updates = append(p.batch.Updates, p.held.Updates...)
	p.batch.Outcomes = append(p.batch.Outcomes, p.held.Outcomes...)
	p.ops += len(p.held.Updates) + len(p.held.Outcomes)
	p.held = store.Batch{}
}
