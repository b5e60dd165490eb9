package writeback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/upn"
)

// entryWrite is the write-back of one linked entry: what it changed and
// what failed, turned into one outcome by record.
type entryWrite struct {
	run      *run
	en       *directory.Entry
	user     store.User
	changes  []store.FieldChange
	failures []string
	notes    []string
}

// upn plans and applies the UPN write of configureTwo.
func (w *entryWrite) upn(ctx context.Context) error {
	cfg := w.run.cfg
	if !cfg.SyncEnabled() {
		return nil
	}
	target := cfg.SyncUpnToAdAttribute.TargetAttribute
	plan, err := upn.PlanWrite(cfg, w.en.Get(attrUPN), w.en.Get(attrMail), w.en.Values(target))
	switch {
	case errors.Is(err, upn.ErrNoValue):
		w.notes = append(w.notes, err.Error())
		return nil
	case errors.Is(err, upn.ErrSeveralValues):
		return w.fail(target, err)
	case err != nil:
		return err
	case plan.Reason == upn.ReasonHasValue:
		w.notes = append(w.notes, fmt.Sprintf("%s already holds %q; kept it and did not write %q (skipIfAlreadyPresent)",
			plan.Attribute, plan.Kept, plan.Value))
		return nil
	case plan.Action == upn.ActionNone:
		return nil
	}
	change := directory.Modification{Op: directory.ModAdd, Attribute: plan.Attribute, Values: []string{plan.Value}}
	fc := store.FieldChange{Field: plan.Attribute, New: plan.Value}
	if plan.Action == upn.ActionReplace {
		change.Op = directory.ModReplace
		fc.Old = strings.Join(w.en.Values(target), ", ")
	}
	err = w.write(ctx, change)
	switch {
	case change.Op == directory.ModAdd && errors.Is(err, directory.ErrValueExists):
		// Active Directory compares most strings case-insensitively and
		// refuses to add a value it considers present: nothing to do.
		return nil
	case err != nil:
		return w.fail(plan.Attribute, err)
	}
	w.changes = append(w.changes, fc)
	return nil
}

// write applies one change unless the run is dry, then reads the attribute
// back and checks the change is there: a write is only reported once the
// directory shows it.
func (w *entryWrite) write(ctx context.Context, ch directory.Modification) error {
	if w.run.job.DryRun {
		return nil
	}
	dir := w.run.job.Dir
	if err := dir.Modify(ctx, w.en.DN, ch); err != nil {
		return err
	}
	got, err := dir.Read(ctx, w.en.DN, ch.Attribute)
	if err != nil {
		return fmt.Errorf("read back after the write: %w", err)
	}
	return verify(ch, got.Values(ch.Attribute))
}

// ErrNotVerified means a write the directory accepted is not what reading
// the attribute back shows.
var ErrNotVerified = errors.New("write not verified")

// verify checks values, read back after ch, reflect ch.
func verify(ch directory.Modification, values []string) error {
	ok := true
	for _, v := range ch.Values {
		has := slices.Contains(values, v)
		switch ch.Op {
		case directory.ModAdd:
			ok = ok && has
		case directory.ModDelete:
			ok = ok && !has
		case directory.ModReplace:
			ok = ok && has && len(values) == len(ch.Values)
		}
	}
	if !ok {
		return fmt.Errorf("%w: after %s %q, %s holds %q", ErrNotVerified, ch.Op, ch.Values, ch.Attribute, values)
	}
	return nil
}

// fail records a failed write of attr and applies onWriteFailure.
func (w *entryWrite) fail(attr string, err error) error {
	f := &WriteFailure{UserID: w.user.UserID, DN: w.en.DN, Attribute: attr, Err: err}
	w.failures = append(w.failures, f.Error())
	return w.run.failure(f)
}

// WriteFailure is a write-back the directory refused or that could not be
// verified: it names the user, the entry, the attribute and the reason
// (the directory's own text for a refusal).
type WriteFailure struct {
	UserID    string
	DN        string
	Attribute string
	Err       error
}

// Error returns "write ATTRIBUTE of USER (DN) failed: REASON".
func (f *WriteFailure) Error() string {
	return fmt.Sprintf("write %s of %s (%s) failed: %v", f.Attribute, f.UserID, f.DN, f.Err)
}

// Unwrap returns the directory's error, so that errors.Is matches
// directory.ErrInsufficientAccess and the other refusals.
func (f *WriteFailure) Unwrap() error { return f.Err }

// record turns what happened to the entry into its outcome and counts.
func (w *entryWrite) record() {
	r := w.run
	o := store.Outcome{UserRowID: w.user.ID, ExternalID: w.en.DN, UserID: w.user.UserID, Changes: w.changes}
	switch {
	case len(w.failures) > 0:
		r.rep.Failed++
		o.Action, o.Reason = store.ActionFailed, strings.Join(w.failures, "; ")
	case len(w.changes) > 0:
		r.rep.Updated++
		o.Action = store.ActionUpdated
		if r.job.DryRun {
			o.Reason = "would write (dry run)"
		}
	case len(w.notes) > 0:
		r.rep.Skipped++
		o.Action, o.Reason = store.ActionSkipped, strings.Join(w.notes, "; ")
	default:
		r.rep.Unchanged++
		return
	}
	r.add(o)
}
