package writeback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// Store is what a write-back run needs from usersync's store.
type Store interface {
	ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error)
	CreateRun(ctx context.Context, r store.Run) (int64, error)
	UpdateRun(ctx context.Context, r store.Run) error
	Apply(ctx context.Context, b store.Batch) error
	store.Certificates
}

// Directory is the relying party's directory: read, write and read back.
type Directory interface {
	Search(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error
	directory.Writer
}

// Job is one relying-party run's input.
type Job struct {
	Conn    connection.Connection
	Dir     Directory
	Trigger string
	DryRun  bool
	// Started, when set, is called once the run is recorded, with its id.
	Started func(store.Run)
}

// Report is a finished run: its record and, for a dry run, the plan.
type Report struct {
	store.Run
	// Plan holds the per-entry outcomes of a dry run (nothing was written).
	Plan []store.Outcome `json:"plan,omitempty"`
}

// Engine runs relying-party jobs against a store.
type Engine struct {
	Store Store
	Log   *slog.Logger
}

// outcomeBatch is how many outcomes are saved per store transaction.
const outcomeBatch = 500

// Run enumerates the relying party's directory and writes back what each
// linked entry lacks. The report is complete even when err is non-nil: a
// failed run is recorded too. A write failure under onWriteFailure "error"
// fails the run and stops further writes.
func (e *Engine) Run(ctx context.Context, j Job) (*Report, error) {
	start := time.Now()
	rep := &Report{Run: store.Run{Connection: j.Conn.Name, Trigger: j.Trigger, Mode: store.ModeFull,
		DryRun: j.DryRun, Status: store.RunRunning, StartedAt: start, Warnings: j.Conn.RunWarnings()}}
	if rep.Trigger == "" {
		rep.Trigger = store.TriggerManual
	}
	if !j.DryRun {
		id, err := e.Store.CreateRun(ctx, rep.Run)
		if err != nil {
			return rep, fmt.Errorf("writeback: %w", err)
		}
		rep.ID = id
		if j.Started != nil {
			j.Started(rep.Run)
		}
	}
	err := e.run(ctx, j, rep)
	end := time.Now()
	rep.DurationMs = end.Sub(start).Milliseconds()
	rep.FinishedAt = &end
	rep.Status = store.RunSucceeded
	if err != nil {
		rep.Status, rep.Error = store.RunFailed, err.Error()
	}
	if !j.DryRun {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if uerr := e.Store.UpdateRun(wctx, rep.Run); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}
	e.logger().Info("relying-party run finished", "connection", rep.Connection, "run", rep.ID, "status", rep.Status,
		"updated", rep.Updated, "unchanged", rep.Unchanged, "skipped", rep.Skipped, "failed", rep.Failed,
		"entriesRead", rep.EntriesRead, "ms", rep.DurationMs)
	return rep, err
}

func (e *Engine) logger() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// run reads every entry and handles each as it arrives.
func (e *Engine) run(ctx context.Context, j Job, rep *Report) error {
	r, err := e.newRun(ctx, j, rep)
	if err != nil {
		return err
	}
	q := directory.Query{BaseDN: j.Conn.SearchPath, Filter: j.Conn.SearchFilter, Attributes: r.attributes(), PageSize: j.Conn.PageSize}
	err = j.Dir.Search(ctx, q, func(en *directory.Entry) error { return r.entry(ctx, en) })
	if err == nil && rep.EntriesRead > 0 && r.unlinked == rep.EntriesRead {
		// A run that links nobody has done nothing, though every entry was
		// read without error: say so, so that it does not look green.
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("no entry was linked: none of the %d entries read matches a usersync user by its %s (the user's %s); check the linking key (%s), the search path and the filter",
			rep.EntriesRead, r.link.Attribute, r.link.Field, r.link.String()))
	}
	if ferr := r.flush(ctx); ferr != nil {
		err = errors.Join(err, ferr)
	}
	return err
}
