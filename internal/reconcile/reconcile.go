// Package reconcile brings a connection's users in step with its directory:
// read every entry, map it, decide what changed (the plan), and apply the
// plan to the store in batches, leaving a run record that explains each user.
//
// A run is a pipeline over both cores: one goroutine reads and decodes the
// directory, one maps and plans, one writes batches to the store. Creates
// and updates flow to the store as they are planned; deactivations wait until
// the directory has been read completely and without error, then pass the
// deletion guard (docs/invariants.md).
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// Mapper is what the planner asks about fields. *mapping.Mapper is the
// implementation; the interface keeps the planner testable.
type Mapper interface {
	// Attributes lists the directory attributes the mapper reads.
	Attributes() []string
	// Fingerprint changes whenever anything that affects results changes.
	Fingerprint() string
	// Map fills r with the entry's userId, fields, scope and warnings.
	Map(e *directory.Entry, r *mapping.Result)
	// Create returns the userId and fields of a new user.
	Create(r *mapping.Result) (userID string, fields map[string]string)
	// Update returns what an existing user becomes, and what changed.
	Update(r *mapping.Result, oldUserID string, old map[string]string) (userID string, fields map[string]string, changes []mapping.Change)
	// ClearOnLeave names the fields cleared when a user is deactivated.
	ClearOnLeave() []string
}

var _ Mapper = (*mapping.Mapper)(nil)

// Job is one run's input.
type Job struct {
	Conn       connection.Connection
	Dir        directory.Reader
	Flavor     directory.Flavor
	Mapper     Mapper
	LinkingKey string
	Trigger    string
	DryRun     bool
	// Now is the clock for leave policies that delete after N days
	// (time.Now when nil).
	Now func() time.Time
	// Full reads every entry even when the directory can read changes only
	// and a change token is saved.
	Full bool
	// Identity completes and checks user IDs (Active Directory's UPNs).
	Identity Identity
	// Groups, when set, applies the connection's group rules.
	Groups GroupPhase
	// Progress, when set, is called from time to time with the run so far.
	Progress func(store.Run)

	// token is the change token a successful full run saves.
	token *string

	// Started, when set, is called once the run is recorded (with its id),
	// before anything is read, so that a caller running the job in the
	// background can point at the run at once.
	Started func(store.Run)
}

// Report is a finished run: its record and, for a dry run, the plan.
type Report struct {
	store.Run
	// Plan holds the per-user outcomes of a dry run (nothing was written).
	Plan []store.Outcome `json:"plan,omitempty"`
	// PlanTruncated says Plan was capped at MaxPlanOutcomes.
	PlanTruncated bool `json:"planTruncated,omitempty"`
}

// MaxPlanOutcomes caps what a dry run keeps in memory to show.
const MaxPlanOutcomes = 10000

// Engine runs jobs against a store.
type Engine struct {
	Store store.Store
	Log   *slog.Logger
}

// Errors a run can end with. The run record holds the full message.
var (
	ErrEmptyRead   = errors.New("the directory returned no entries")
	ErrGuardTipped = errors.New("deletion guard: run held for approval")
)

const (
	readBatch  = 256
	applyBatch = 2000
	// readAhead is how many read batches may wait for the planner: enough
	// to keep the directory busy while the index loads (about 8,000
	// entries, a few MB), without holding the directory in memory.
	readAhead = 32
)

// Run executes a job. The returned report is complete even when err is
// non-nil: a failed run is recorded too.
func (e *Engine) Run(ctx context.Context, j Job) (*Report, error) {
	start := time.Now()
	rep := &Report{Run: store.Run{Connection: j.Conn.Name, Trigger: j.Trigger, Mode: store.ModeFull,
		DryRun: j.DryRun, Status: store.RunRunning, StartedAt: start, Warnings: j.Conn.RunWarnings()}}
	if j.Trigger == "" {
		rep.Trigger = store.TriggerManual
	}
	if !j.DryRun {
		id, err := e.Store.CreateRun(ctx, rep.Run)
		if err != nil {
			return rep, err
		}
		rep.ID = id
	}
	if j.Started != nil {
		j.Started(rep.Run)
	}
	err := e.dispatch(ctx, j, rep)
	return rep, e.record(ctx, rep, err, "run finished")
}

// record ends a run: its status from err, its timing, and its record in the
// store (not for a dry run). It returns err, or the store's error when only
// that failed.
func (e *Engine) record(ctx context.Context, rep *Report, err error, msg string) error {
	rep.DurationMs = time.Since(rep.StartedAt).Milliseconds()
	end := time.Now()
	rep.FinishedAt = &end
	switch {
	case err == nil:
		rep.Status = store.RunSucceeded
	case errors.Is(err, ErrGuardTipped):
		rep.Status, rep.Error, rep.FinishedAt = store.RunAwaitingApproval, err.Error(), nil
	default:
		rep.Status, rep.Error = store.RunFailed, err.Error()
	}
	if !rep.DryRun {
		// The run record must be written even if the caller's context was
		// cancelled: that is when an operator most needs to see it.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if uerr := e.Store.UpdateRun(wctx, rep.Run); uerr != nil && err == nil {
			err = uerr
		}
	}
	e.logger().Info(msg, "connection", rep.Connection, "run", rep.ID, "trigger", rep.Trigger, "mode", rep.Mode, "status", rep.Status,
		"created", rep.Created, "updated", rep.Updated, "deactivated", rep.Deactivated, "deleted", rep.Deleted,
		"unchanged", rep.Unchanged, "entriesRead", rep.EntriesRead, "ms", rep.DurationMs)
	return err
}

func (e *Engine) logger() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// run is the pipeline: reader → planner (this goroutine) → applier.
//
// The read starts first: the directory's first pages arrive while the index
// of stored users loads, instead of after it.
func (e *Engine) run(ctx context.Context, j Job, rep *Report) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	entries := make(chan []*directory.Entry, readAhead)
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(entries)
		readErr = e.read(ctx, j, entries)
	}()
	ix, locals, err := e.loadState(ctx, j)
	if err != nil {
		cancel(err)
		for range entries { // let the reader finish
		}
		wg.Wait()
		return err
	}

	ap := newApplier(ctx, e.Store, j, rep, cancel)
	p := newPlanner(ctx, j, e.Store, ix, locals, rep, ap)
	for batch := range entries {
		if err := p.plan(ctx, batch); err != nil {
			cancel(err)
			for range entries { // let the reader finish
			}
			break
		}
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		ap.close()
		return err
	}
	if readErr != nil {
		p.flush(ctx)
		ap.close()
		return fmt.Errorf("%w; nobody was deactivated because the read was incomplete", readErr)
	}
	if err := p.finish(ctx); err != nil {
		ap.close()
		return err
	}
	if err := ap.close(); err != nil {
		return err
	}
	if j.Groups != nil {
		return j.Groups.Finish(ctx, rep)
	}
	return nil
}

// loadState reads what the planner needs from the store: the index of the
// connection's users and the local userIds.
func (e *Engine) loadState(ctx context.Context, j Job) (*index, map[string]bool, error) {
	ix, err := loadIndex(ctx, e.Store, j.Conn.Name)
	if err != nil {
		return nil, nil, err
	}
	locals, err := e.Store.LocalUserIDs(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ix, locals, nil
}

func (e *Engine) read(ctx context.Context, j Job, out chan<- []*directory.Entry) error {
	q := e.query(j)
	buf := make([]*directory.Entry, 0, readBatch)
	send := func() error {
		select {
		case out <- buf:
			buf = make([]*directory.Entry, 0, readBatch)
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	err := j.Dir.Search(ctx, q, func(en *directory.Entry) error {
		buf = append(buf, en)
		if len(buf) == readBatch {
			return send()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(buf) > 0 {
		return send()
	}
	return nil
}

// isDisabled reads Active Directory's userAccountControl ACCOUNTDISABLE bit.
func isDisabled(flavor directory.Flavor, e *directory.Entry) bool {
	if flavor == mapping.FlavorSCIM {
		// A SCIM client soft-deletes a user with "active": false.
		return strings.EqualFold(e.Get("active"), "false")
	}
	if flavor != directory.FlavorActiveDirectory {
		return false
	}
	var uac int64
	_, err := fmt.Sscan(strings.TrimSpace(e.Get("userAccountControl")), &uac)
	return err == nil && uac&0x2 != 0
}
