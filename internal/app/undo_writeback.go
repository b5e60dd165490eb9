package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// altSecID is the attribute that holds certificate mappings.
const altSecID = "altSecurityIdentities"

// undoWriteBack reverses, in the relying party's directory, exactly the
// values a relying-party run wrote: a value it added is deleted, a value
// it replaced is put back, and nothing else is touched. A value that
// changed since is a conflict and stays. A certificate mapping the run
// removed (a revocation) is not written back, unless the run was itself
// an undo.
func (a *App) undoWriteBack(ctx context.Context, run store.Run, dryRun bool) (*UndoReport, error) {
	c, err := a.connectionWithSecret(ctx, run.Connection)
	if err != nil {
		return nil, err
	}
	outs, err := a.Store.ListOutcomes(ctx, run.ID, store.OutcomeQuery{Action: store.ActionUpdated})
	if err != nil {
		return nil, err
	}
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rep := &UndoReport{Report: reconcile.Report{Run: store.Run{Connection: run.Connection, Trigger: store.TriggerUndo, Mode: store.ModeFull,
		DryRun: dryRun, Status: store.RunRunning, StartedAt: time.Now(), UndoOf: run.ID}}, Conflicts: []reconcile.Conflict{}}
	if !dryRun {
		if rep.ID, err = a.Store.CreateRun(ctx, rep.Run); err != nil {
			return rep, err
		}
	}
	u := &entryUndo{a: a, dir: conn, c: c, run: run, rep: rep, dry: dryRun}
	var failures []string
	for _, o := range outs {
		out, err := u.entry(ctx, o)
		if err != nil {
			rep.Failed++
			failures = append(failures, err.Error())
			out = store.Outcome{UserRowID: o.UserRowID, ExternalID: o.ExternalID, UserID: o.UserID, Action: store.ActionFailed, Reason: err.Error()}
		}
		if out.Action == "" {
			continue
		}
		out.RunID = rep.ID
		u.outs = append(u.outs, out)
	}
	if dryRun {
		rep.Plan = u.outs
	} else if len(u.outs) > 0 {
		if err := a.Store.Apply(context.WithoutCancel(ctx), store.Batch{RunID: rep.ID, Connection: run.Connection, Outcomes: u.outs}); err != nil {
			return rep, a.finishUndo(ctx, rep, err)
		}
	}
	var runErr error
	if len(failures) > 0 {
		runErr = fmt.Errorf("undo of run %d: %d writes failed: %s", run.ID, len(failures), strings.Join(failures, "; "))
	}
	return rep, a.finishUndo(ctx, rep, runErr)
}

// entryUndo reverses a relying-party run's writes, one entry at a time.
type entryUndo struct {
	a    *App
	dir  *ldap.Conn
	c    connection.Connection
	run  store.Run
	rep  *UndoReport
	dry  bool
	outs []store.Outcome
}

// entry reverses the changes of one entry's outcome and returns the undo's
// outcome for it (no Action when nothing was to be done).
func (u *entryUndo) entry(ctx context.Context, o store.Outcome) (store.Outcome, error) {
	dn := o.ExternalID
	out := store.Outcome{UserRowID: o.UserRowID, ExternalID: dn, UserID: o.UserID, Reason: fmt.Sprintf("undo of run %d", u.run.ID)}
	for _, ch := range o.Changes {
		en, err := u.dir.Read(ctx, dn, ch.Field)
		if err != nil {
			return out, fmt.Errorf("read %s of %s: %w", ch.Field, dn, err)
		}
		now := en.Values(ch.Field)
		has := func(v string) bool {
			return slices.ContainsFunc(now, func(x string) bool { return strings.EqualFold(x, v) })
		}
		conflict := func() {
			cf := reconcile.Conflict{UserRowID: o.UserRowID, UserID: o.UserID, Field: ch.Field, Before: ch.Old, After: ch.New, Now: strings.Join(now, ", ")}
			u.rep.Conflicts = append(u.rep.Conflicts, cf)
			u.rep.Skipped++
			u.outs = append(u.outs, store.Outcome{RunID: u.rep.ID, UserRowID: o.UserRowID, ExternalID: dn, UserID: o.UserID, Action: reconcile.ActionConflict,
				Reason:  fmt.Sprintf("changed since run %d, left as it is: before %q, after %q, now %q", u.run.ID, cf.Before, cf.After, cf.Now),
				Changes: []store.FieldChange{{Field: ch.Field, Old: ch.Old, New: ch.New}}})
		}
		var mod directory.Modification
		switch {
		case ch.Old == "" && ch.New != "": // the run added New
			if !has(ch.New) {
				continue // already gone
			}
			mod = directory.Modification{Op: directory.ModDelete, Attribute: ch.Field, Values: []string{ch.New}}
		case ch.Old != "" && ch.New != "": // the run replaced Old by New
			old := strings.Split(ch.Old, ", ")
			switch {
			case len(now) == 1 && strings.EqualFold(now[0], ch.New):
				mod = directory.Modification{Op: directory.ModReplace, Attribute: ch.Field, Values: old}
			case sameFolded(now, old):
				continue
			default:
				conflict()
				continue
			}
		case ch.Old != "": // the run removed Old
			if has(ch.Old) {
				continue
			}
			if strings.EqualFold(ch.Field, altSecID) && u.run.Trigger != store.TriggerUndo {
				// A revoked certificate's mapping must not come back.
				conflict()
				continue
			}
			mod = directory.Modification{Op: directory.ModAdd, Attribute: ch.Field, Values: []string{ch.Old}}
		default:
			continue
		}
		if !u.dry {
			if err := u.write(ctx, dn, mod); err != nil {
				return out, err
			}
			if err := u.ownership(ctx, dn, mod); err != nil {
				return out, err
			}
		}
		out.Changes = append(out.Changes, store.FieldChange{Field: ch.Field, Old: ch.New, New: ch.Old})
	}
	if len(out.Changes) == 0 {
		return store.Outcome{}, nil
	}
	out.Action = store.ActionUpdated
	u.rep.Updated++
	return out, nil
}

// write applies mod and reads the attribute back: a reversal is only
// reported once the directory shows it.
func (u *entryUndo) write(ctx context.Context, dn string, mod directory.Modification) error {
	if err := u.dir.Modify(ctx, dn, mod); err != nil {
		return fmt.Errorf("write %s of %s failed: %w", mod.Attribute, dn, err)
	}
	en, err := u.dir.Read(ctx, dn, mod.Attribute)
	if err != nil {
		return fmt.Errorf("read %s of %s back: %w", mod.Attribute, dn, err)
	}
	got := en.Values(mod.Attribute)
	for _, v := range mod.Values {
		has := slices.ContainsFunc(got, func(x string) bool { return strings.EqualFold(x, v) })
		if has == (mod.Op == directory.ModDelete) {
			return fmt.Errorf("write %s of %s not verified: after %s %q it holds %q", mod.Attribute, dn, mod.Op, mod.Values, got)
		}
	}
	return nil
}

// ownership keeps the certificate records in step with the mappings the
// undo removed or put back, so that usersync only ever removes values it
// wrote.
func (u *entryUndo) ownership(ctx context.Context, dn string, mod directory.Modification) error {
	if !strings.EqualFold(mod.Attribute, altSecID) {
		return nil
	}
	for _, v := range mod.Values {
		certs, err := u.a.Store.ListCertificates(ctx, store.CertificateQuery{Connection: u.c.Name, Mapping: v})
		if err != nil {
			return err
		}
		for _, cert := range certs {
			switch {
			case mod.Op == directory.ModDelete && strings.EqualFold(cert.WrittenDN, dn):
				cert.WrittenDN = ""
			case mod.Op == directory.ModAdd && cert.WrittenDN == "":
				cert.WrittenDN = dn
			default:
				continue
			}
			if err := u.a.Store.UpdateCertificate(ctx, cert); err != nil {
				return errors.Join(fmt.Errorf("certificate %d", cert.ID), err)
			}
		}
	}
	return nil
}

func sameFolded(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, v := range a {
		if !slices.ContainsFunc(b, func(x string) bool { return strings.EqualFold(x, v) }) {
			return false
		}
	}
	return true
}
