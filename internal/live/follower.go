// Package live follows a directory continuously ("live": true on a
// connection): OpenLDAP through syncrepl refreshAndPersist (RFC 4533), and
// Active Directory by polling (uSNChanged>=N) every two seconds. Changes are
// gathered for about 100 ms and applied as one small incremental run with
// trigger "live", through the same planner, deletion guard and run history
// as every other run.
package live

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// LagObserver receives the lag of each applied batch (ops.Metrics).
type LagObserver interface {
	ObserveLive(conn string, lag time.Duration, changes int)
}

// Tuning of a Follower.
const (
	// FlushAfter is how long changes are gathered before they are applied.
	FlushAfter = 100 * time.Millisecond
	// MaxBatch caps the changes applied in one run (a refresh without a
	// cookie delivers the whole directory).
	MaxBatch = 2000
	// PollEvery is the Active Directory polling period.
	PollEvery  = 2 * time.Second
	maxBackoff = time.Minute
)

// Follower follows live connections for the scheduler.
type Follower struct {
	App     *app.App
	Metrics LagObserver
	Log     *slog.Logger
}

func (f *Follower) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.Default()
}

// Follow follows one connection until ctx ends, reconnecting with
// exponential backoff (1 s doubling to a minute) after any failure.
func (f *Follower) Follow(ctx context.Context, name string) error {
	backoff := time.Second
	for {
		start := time.Now()
		err := f.session(ctx, name)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > 2*maxBackoff {
			backoff = time.Second
		}
		f.log().Warn("live mode: connection lost; reconnecting", "connection", name, "in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// session is one connection to the directory.
func (f *Follower) session(ctx context.Context, name string) error {
	if entra, every, err := f.App.EntraPoll(ctx, name); err != nil {
		return err
	} else if entra {
		return f.pollEntra(ctx, name, every)
	}
	d, err := f.App.OpenDirectory(ctx, name)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Flavor == directory.FlavorActiveDirectory {
		return f.pollAD(ctx, d)
	}
	return f.syncrepl(ctx, d)
}

// batch gathers changes keyed by linking key, so that the last state of an
// entry wins and a key is never both upserted and deleted.
type batch struct {
	first   time.Time
	upserts map[string]*directory.Entry
	deletes map[string]bool
	token   *string
}

func (b *batch) size() int { return len(b.upserts) + len(b.deletes) }

func (b *batch) upsert(ext string, e *directory.Entry) {
	b.touch()
	delete(b.deletes, ext)
	b.upserts[ext] = e
}

func (b *batch) remove(ext string) {
	b.touch()
	delete(b.upserts, ext)
	b.deletes[ext] = true
}

func (b *batch) touch() {
	if b.upserts == nil {
		b.upserts, b.deletes = map[string]*directory.Entry{}, map[string]bool{}
	}
	if b.first.IsZero() {
		b.first = time.Now()
	}
}

// flush applies the batch. A batch that cannot be applied because another
// run holds the lease is kept for the next flush; any other failure is
// returned (the session reconnects and resumes from the saved token).
func (f *Follower) flush(ctx context.Context, d *app.Directory, b *batch) error {
	if b.size() == 0 && b.token == nil {
		return nil
	}
	if b.size() == 0 {
		// A new cookie without changes moves the token only: no run.
		if err := f.App.Store.Apply(ctx, store.Batch{Connection: d.Conn.Name, Token: b.token}); err != nil {
			return err
		}
		*b = batch{}
		return nil
	}
	ch := reconcile.Changes{Token: b.token}
	for _, e := range b.upserts {
		ch.Upserts = append(ch.Upserts, e)
	}
	for ext := range b.deletes {
		ch.Deletes = append(ch.Deletes, ext)
	}
	rep, err := f.App.ApplyLive(ctx, d, ch)
	if errors.Is(err, store.ErrLeaseHeld) {
		f.log().Debug("live batch waits: another run holds the lease", "connection", d.Conn.Name, "changes", b.size())
		return nil
	}
	if err != nil && !errors.Is(err, reconcile.ErrGuardTipped) {
		return err
	}
	if b.size() > 0 {
		lag := time.Since(b.first)
		if f.Metrics != nil {
			f.Metrics.ObserveLive(d.Conn.Name, lag, b.size())
		}
		f.log().Info("live batch applied", "connection", d.Conn.Name, "run", rep.ID, "changes", b.size(), "lagMs", lag.Milliseconds())
	}
	*b = batch{}
	return nil
}
