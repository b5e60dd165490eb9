package reconcile

import (
	"context"
	"errors"
	"time"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// Changes is a batch of changes a directory reported on its own (live mode):
// entries added or modified, and the linking-key values of entries deleted
// or moved out of the search scope. A linking key appears at most once.
type Changes struct {
	Upserts []*directory.Entry
	Deletes []string
	// Token, when non-nil, is saved as the connection's change token in the
	// same transaction as the changes.
	Token *string
	// Trigger names the run's trigger; default store.TriggerLive.
	Trigger string
	// Named loads only the stored users the changes name, instead of the
	// connection's whole index, for a caller that applies a few users at
	// a time (a SCIM request). The deletion guard still counts every
	// active user of the connection.
	Named bool
	// Notes are added to the run's warnings, such as the id of the request
	// that brought the changes.
	Notes []string
	// Continue, when set, adds the changes to that run (a recent run of
	// the same trigger) instead of recording a new one, so that many small
	// batches show as one run; its counts grow by this batch's.
	Continue *store.Run
	// Tag is added to the warnings of every outcome the batch records,
	// such as the id of the request that brought the changes, so that
	// each outcome of a continued run names what caused it.
	Tag string
	// Tags, when set, tags the outcomes of each linking-key value on its
	// own (instead of Tag), for a batch that gathers the changes of
	// several requests: each outcome then names the request that caused it.
	Tags map[string]string
}

// Attributes lists what every kind of run of j reads from each entry: the
// linking key, the mapped attributes, Active Directory's identity and
// account attributes, and what the group rules read (memberOf on Active
// Directory). A one-user or live run that read less would decide
// differently from a full run about the same entry.
func Attributes(j Job) []string {
	attrs := append([]string{j.LinkingKey}, j.Mapper.Attributes()...)
	if j.Flavor == directory.FlavorActiveDirectory {
		attrs = append(attrs, ADAttributes...)
	}
	if j.Groups != nil {
		attrs = append(attrs, j.Groups.Attributes()...)
	}
	return attrs
}

// ApplyChanges applies a batch of live changes as one incremental run,
// through the same planner as a full run: each upsert is mapped, hashed,
// skipped when unchanged, created or updated with its field changes
// recorded. The users that Deletes name, and those whose upserted entries
// left the scope, get the connection's leave policy, as in a full run,
// after the deletion guard. Users the batch does not name are left alone: a batch of
// changes is never an enumeration of the directory. With j.DryRun nothing
// is written, no run is recorded, and the report's Plan holds what would
// happen.
func (e *Engine) ApplyChanges(ctx context.Context, j Job, ch Changes) (*Report, error) {
	trigger := ch.Trigger
	if trigger == "" {
		trigger = store.TriggerLive
	}
	rep := &Report{Run: store.Run{Connection: j.Conn.Name, Trigger: trigger, Mode: store.ModeIncremental,
		DryRun: j.DryRun, Status: store.RunRunning, StartedAt: time.Now(), Warnings: append(j.Conn.RunWarnings(), ch.Notes...)}}
	if ch.Continue != nil && !j.DryRun {
		rep.Run = *ch.Continue
		rep.Status, rep.FinishedAt, rep.Error = store.RunRunning, nil, ""
		rep.Warnings = append(rep.Warnings, ch.Notes...)
	} else if !j.DryRun {
		id, err := e.Store.CreateRun(ctx, rep.Run)
		if err != nil {
			return rep, err
		}
		rep.ID = id
	}
	err := e.applyChanges(ctx, j, ch, rep)
	return rep, e.record(ctx, rep, err, "live changes applied")
}

func (e *Engine) applyChanges(ctx context.Context, j Job, ch Changes, rep *Report) error {
	ix, err := e.changesIndex(ctx, j, ch)
	if err != nil {
		return err
	}
	locals, err := e.Store.LocalUserIDs(ctx)
	if err != nil {
		return err
	}
	if j.Groups != nil {
		if err := j.Groups.Prepare(ctx); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ap := newApplier(ctx, e.Store, j, rep, cancel)
	p := newPlanner(ctx, j, e.Store, ix, locals, rep, ap)
	p.tag, p.tags = ch.Tag, ch.Tags
	for _, en := range ch.Upserts {
		p.planEntry(en)
	}
	if err := p.resolve(ctx); err != nil {
		ap.close()
		return err
	}
	// A live batch is complete as delivered: the leave policy and the
	// guard decide now.
	var gone []leaver
	for _, ext := range ch.Deletes {
		if r := ix.lookup(ext); r != nil && !r.seen {
			if l, ok := p.leaverFor(ext, r, "deleted from the directory or moved out of the search scope (live)"); ok {
				gone = append(gone, l)
			}
			r.seen = true
		}
	}
	for r, exit := range p.outOfScope {
		if !r.seen {
			if l, ok := p.leaverFor(exit.ext, r, exit.reason); ok {
				gone = append(gone, l)
			}
		}
	}
	// The token moves even when the guard holds the deletions: they wait
	// for approval in the run record, not in the directory's change log.
	p.batch.Token = ch.Token
	if err := p.leave(ctx, gone, ch.Token); err != nil {
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
