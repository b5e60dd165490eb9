package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// dispatch runs a job incrementally when it can, and fully otherwise. A job
// runs incrementally when its directory is a directory.ChangeReader, the
// link is the directory's immutable identifier (objectGUID on AD, entryUUID
// on OpenLDAP: deleted objects keep nothing else), the caller did not ask for a full run, and a change
// token of the same scope is saved. Any other case is a full run, which
// also saves a fresh token when the directory can give one.
func (e *Engine) dispatch(ctx context.Context, j Job, rep *Report) error {
	// The group phase reads the groups and the application's entities once,
	// before any user is planned; its fingerprint is part of the token's
	// scope, so that changed rules or entities make the run full.
	modal, _ := j.Groups.(ModalGroupPhase)
	if j.Groups != nil {
		if modal != nil {
			modal.DeferHeld()
		}
		if err := j.Groups.Prepare(ctx); err != nil {
			return err
		}
	}
	// begin tells the group phase which kind of run reads the users.
	begin := func(changesOnly bool) error {
		if modal == nil {
			return nil
		}
		return modal.Begin(ctx, changesOnly)
	}
	full := func() error {
		if err := begin(false); err != nil {
			return err
		}
		return e.run(ctx, j, rep)
	}
	cr, ok := j.Dir.(directory.ChangeReader)
	if !ok || !strings.EqualFold(j.LinkingKey, changeID(j.Flavor)) {
		return full()
	}
	// Taken before any read: changes made while this run reads are read
	// again by the next run rather than lost.
	now, err := cr.ChangeToken(ctx, e.query(j))
	if err != nil {
		rep.Warnings = append(rep.Warnings, "full run without a change token: "+err.Error())
		return full()
	}
	next := wrapToken(j, now)
	j.token = &next
	if j.Full {
		rep.Warnings = append(rep.Warnings, "full run requested")
		return full()
	}
	saved, err := e.Store.ChangeToken(ctx, j.Conn.Name)
	if err != nil {
		return err
	}
	since, why := unwrapToken(j, saved)
	if why != "" {
		if saved != "" { // the first run of a connection is full as a matter of course
			rep.Warnings = append(rep.Warnings, "full run: "+why)
		}
		return full()
	}
	if j.Groups != nil {
		if gc, ok := j.Dir.(groupChanges); ok {
			changed, err := gc.GroupsChanged(ctx, j.Conn.GroupBase(), since)
			if err != nil || changed {
				why := "group memberships changed since the last run"
				if err != nil {
					why = err.Error()
				}
				rep.Warnings = append(rep.Warnings, "full run: "+why)
				return full()
			}
		}
	}
	if err := begin(true); err != nil {
		return err
	}
	rep.Mode = store.ModeIncremental
	err = e.runIncremental(ctx, j, rep, cr, since)
	if errors.Is(err, directory.ErrTokenExpired) {
		// What the delta applied so far is true; the full read completes it.
		rep.Mode = store.ModeFull
		rep.Warnings = append(rep.Warnings, "full run: "+err.Error())
		return full()
	}
	return err
}

// changeID is the identifier a flavor's incremental reads name entries by:
// deleted objects keep nothing else. Only connections linked by it can read
// incrementally.
func changeID(f directory.Flavor) string {
	switch f {
	case directory.FlavorActiveDirectory:
		return "objectGUID"
	case directory.FlavorOpenLDAP, directory.FlavorOther:
		// Other servers read incrementally by modifyTimestamp, which needs
		// no tombstones; entryUUID (RFC 4530) is still the link that
		// survives a rename.
		return "entryUUID"
	case mapping.FlavorEntraID:
		return "objectId"
	}
	return "\x00none" // no attribute has this name
}

// groupChanges is the optional capability of telling whether any group
// changed since a token: with group rules on, a changed group makes the run
// full, since a delta of user entries does not show membership changes.
type groupChanges interface {
	GroupsChanged(ctx context.Context, base, since string) (bool, error)
}

// runIncremental reads only the changes since a token. Changed entries are
// planned exactly as in a full run (planEntry). Users whose entries were
// deleted or left the search scope get the leave policy only after every change
// was read without error and only if the deletion guard allows. A user merely absent from the delta is untouched:
// absence means "unchanged" here.
func (e *Engine) runIncremental(ctx context.Context, j Job, rep *Report, cr directory.ChangeReader, since string) error {
	d, err := newDeltaIndex(ctx, e.Store, j.Conn.Name)
	if err != nil {
		return err
	}
	locals, err := e.Store.LocalUserIDs(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ap := newApplier(ctx, e.Store, j, rep, cancel)
	p := newPlanner(ctx, j, e.Store, d.ix, locals, rep, ap)
	gone := map[string]directory.ChangeKind{}
	buf := make([]*directory.Entry, 0, readBatch)
	// plan plans the changed entries read since the last batch, once the
	// stored users they name are in the index.
	plan := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := d.loadEntries(ctx, j.LinkingKey, buf, p.created); err != nil {
			return err
		}
		for _, en := range buf {
			p.planEntry(en)
		}
		clear(buf)
		buf = buf[:0]
		if err := p.resolve(ctx); err != nil {
			return err
		}
		if p.ops >= applyBatch {
			return p.emit(ctx)
		}
		return nil
	}
	readErr := cr.ReadChanges(ctx, e.query(j), since, func(ch directory.Change) error {
		if ch.Kind != directory.Changed {
			rep.EntriesRead++
			if g := ch.Entry.Get(j.LinkingKey); g != "" {
				if _, dup := gone[g]; !dup || ch.Kind == directory.Deleted {
					gone[g] = ch.Kind
				}
			}
			return nil
		}
		if buf = append(buf, ch.Entry); len(buf) < readBatch {
			return nil
		}
		return plan()
	})
	if cerr := context.Cause(ctx); cerr != nil && readErr == nil {
		readErr = cerr
	}
	if readErr == nil {
		readErr = plan()
	} else if context.Cause(ctx) == nil {
		// The entries read before the failure are planned as they would
		// have been without it; a failed lookup plans none of them.
		_ = plan()
	}
	if readErr != nil {
		if rep.EntriesRead > 0 || !errors.Is(readErr, directory.ErrTokenExpired) {
			p.flush(ctx)
			readErr = fmt.Errorf("%w; nobody was deactivated and the change token was kept because the read was incomplete", readErr)
		}
		return errors.Join(readErr, ap.close())
	}
	if err := d.load(ctx, goneIDs(gone), p.created); err != nil {
		return errors.Join(err, ap.close())
	}
	if err := p.finishIncremental(ctx, gone); err != nil {
		return errors.Join(err, ap.close())
	}
	if err := ap.close(); err != nil {
		return err
	}
	if j.Groups != nil {
		return j.Groups.Finish(ctx, rep)
	}
	return nil
}

// goneIDs returns the external ids of the entries a delta reported
// deleted or out of scope.
func goneIDs(gone map[string]directory.ChangeKind) []string {
	out := make([]string, 0, len(gone))
	for ext := range gone {
		out = append(out, ext)
	}
	return out
}

// query is what a job searches for: its base, filter and attributes.
func (e *Engine) query(j Job) directory.Query {
	attrs := Attributes(j)
	return directory.Query{BaseDN: j.Conn.SearchPath, Filter: j.Conn.SearchFilter, Attributes: attrs, PageSize: j.Conn.PageSize}
}

// finishIncremental applies the leave policy to the users whose entries
// were deleted or left the scope, as a full run would, through the deletion
// guard, and saves the change token with the last batch. A held run keeps the old token, so the next run sees
// the same deletions again.
func (p *planner) finishIncremental(ctx context.Context, gone map[string]directory.ChangeKind) error {
	if err := p.resolve(ctx); err != nil {
		return err
	}
	var out []leaver
	for ext, kind := range gone {
		r := p.ix.lookup(ext)
		if r == nil || r.seen {
			continue
		}
		why := "deleted from the directory"
		switch kind {
		case directory.Left:
			why = "no longer matches the search path and filter"
		case directory.SoftDeleted:
			// A restorable deletion only deactivates, whatever the leave
			// policy: the user comes back as it was when it is restored.
			if r.active {
				out = append(out, leaver{r, ext, "deleted in the directory and restorable (soft-deleted)", false})
			}
			continue
		}
		if l, ok := p.leaverFor(ext, r, why); ok {
			out = append(out, l)
		}
	}
	for r, exit := range p.outOfScope {
		if _, also := gone[exit.ext]; !r.seen && !also {
			if l, ok := p.leaverFor(exit.ext, r, exit.reason); ok {
				out = append(out, l)
			}
		}
	}
	p.settleToken()
	return p.leave(ctx, out, p.j.token)
}
