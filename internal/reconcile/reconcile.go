// Package reconcile brings a connection's users in step with its directory:
// read every entry, map it, decide what changed (the plan), and apply the
// plan to the store in batches, leaving a run record that explains each user.
//
// A run is a pipeline over both cores: one goroutine reads and decodes the
// directory, one maps and plans, one writes batches to the store. Creates
// and updates flow to the store as they are planned; deactivations wait until
// the directory has been read completely and without error (DESIGN.md
// invariant 1), then pass the deletion guard (invariant 2).
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

// Mapper turns an entry into a userId and application fields. mapping.Set
// is the implementation; the interface keeps the planner testable.
type Mapper interface {
	Attributes() []string
	Map(e *directory.Entry, buf []mapping.Field) (userID string, fields []mapping.Field)
	Fingerprint() string
}

var _ Mapper = mapping.Set{}

// Job is one run's input.
type Job struct {
	Conn       connection.Connection
	Dir        directory.Reader
	Flavor     directory.Flavor
	Mapper     Mapper
	LinkingKey string
	Trigger    string
	DryRun     bool
	// Incremental reads only what changed since the saved change token,
	// when the directory supports it (OpenLDAP syncrepl, linked by
	// entryUUID) and a token saved for the same search exists.
	Incremental bool
	// Full reads the whole directory even when Incremental is set.
	Full bool
	// Progress, when set, is called from time to time with the run so far.
	Progress func(store.Run)
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
		DryRun: j.DryRun, Status: store.RunRunning, StartedAt: start}}
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
	err := e.run(ctx, j, rep)
	rep.DurationMs = time.Since(start).Milliseconds()
	end := time.Now()
	rep.FinishedAt = &end
	switch {
	case err == nil:
		rep.Status = store.RunSucceeded
	case errors.Is(err, ErrGuardTipped):
		rep.Status = store.RunAwaitingApproval
		rep.Error = err.Error()
		rep.FinishedAt = nil
	default:
		rep.Status = store.RunFailed
		rep.Error = err.Error()
	}
	if !j.DryRun {
		// The run record must be written even if the caller's context was
		// cancelled: that is when an operator most needs to see it.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if uerr := e.Store.UpdateRun(wctx, rep.Run); uerr != nil && err == nil {
			err = uerr
		}
	}
	e.logger().Info("run finished", "connection", rep.Connection, "run", rep.ID, "status", rep.Status,
		"created", rep.Created, "updated", rep.Updated, "deactivated", rep.Deactivated,
		"unchanged", rep.Unchanged, "entriesRead", rep.EntriesRead, "ms", rep.DurationMs)
	return rep, err
}

func (e *Engine) logger() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// run reads the directory with the source that fits (incremental.go) and
// falls back to a full read when the server no longer accepts the token.
func (e *Engine) run(ctx context.Context, j Job, rep *Report) error {
	src, err := e.chooseSource(ctx, j, rep)
	if err != nil {
		return err
	}
	err = e.pipeline(ctx, j, rep, src)
	if src.incremental && errors.Is(err, directory.ErrTokenExpired) && rep.EntriesRead == 0 {
		rep.Warnings = append(rep.Warnings, "the saved change token was refused; this run read the whole directory")
		rep.Mode = store.ModeFull
		return e.pipeline(ctx, j, rep, e.fullSource(ctx, j))
	}
	return err
}

// pipeline is reader → planner (this goroutine) → applier.
//
// The read starts first: the directory's first pages arrive while the index
// of stored users loads, instead of after it.
func (e *Engine) pipeline(ctx context.Context, j Job, rep *Report, src source) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	start := time.Now()
	entries := make(chan []*directory.Entry, readAhead)
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(entries)
		readErr = e.read(ctx, src, entries)
	}()
	ix, locals, err := e.loadState(ctx, j)
	if err != nil {
		cancel(err)
		for range entries { // let the reader finish
		}
		wg.Wait()
		return err
	}
	e.logger().Debug("index loaded", "connection", j.Conn.Name, "users", ix.size(), "ms", time.Since(start).Milliseconds())

	ap := newApplier(ctx, e.Store, j, rep, cancel)
	p := newPlanner(j, e.Store, ix, locals, rep, ap)
	if src.token != "" {
		p.token = &src.token
	}
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
	if err := src.finish(ctx, p); err != nil {
		ap.close()
		return err
	}
	return ap.close()
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

// read runs the source's read, handing entries to the planner in batches.
func (e *Engine) read(ctx context.Context, src source, out chan<- []*directory.Entry) error {
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
	err := src.read(ctx, func(en *directory.Entry) error {
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

// query is the search a job runs: the linking key and the mapped attributes.
func query(j Job) directory.Query {
	attrs := append([]string{j.LinkingKey}, j.Mapper.Attributes()...)
	if j.Flavor == directory.FlavorActiveDirectory {
		attrs = append(attrs, "userAccountControl")
	}
	return directory.Query{BaseDN: j.Conn.SearchPath, Filter: j.Conn.SearchFilter, Attributes: attrs, PageSize: j.Conn.PageSize}
}

// isDisabled reads Active Directory's userAccountControl ACCOUNTDISABLE bit.
func isDisabled(flavor directory.Flavor, e *directory.Entry) bool {
	if flavor != directory.FlavorActiveDirectory {
		return false
	}
	var uac int64
	_, err := fmt.Sscan(strings.TrimSpace(e.Get("userAccountControl")), &uac)
	return err == nil && uac&0x2 != 0
}
