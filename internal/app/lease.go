package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// Lease timing: a holder renews its lease every LeaseRenew, and an instance
// that dies loses it after at most LeaseTTL, when another may take over.
var leaseSeq atomic.Int64

const (
	LeaseTTL   = 15 * time.Second
	LeaseRenew = 5 * time.Second
)

// newHolderID names this process in leases and in the error a second
// instance prints: host, pid and a random suffix (pids are reused).
func newHolderID() string {
	host, _ := os.Hostname()
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/pid %d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// WithLease runs fn while holding the connection's run lease, so that no
// other run of the connection, in this or another instance, overlaps it.
// The lease is renewed while fn runs; if it is lost anyway (this process was
// stalled past the TTL and another took over) fn's context is cancelled.
// Runs that a dead holder left "running" are marked failed first: holding
// the lease proves nobody runs them any more. A held lease is returned at
// once as a *store.LeaseHeldError naming its holder.
func (a *App) WithLease(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	// Each acquisition is its own holder, so that two runs of one process
	// (a scheduled run and a live batch) exclude each other too.
	holder := fmt.Sprintf("%s/run %d", a.Holder, leaseSeq.Add(1))
	if _, err := a.Store.AcquireLease(ctx, name, holder, LeaseTTL); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(LeaseRenew)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := a.Store.RenewLease(ctx, name, holder, LeaseTTL); err != nil {
					if errors.Is(err, store.ErrLeaseLost) {
						a.Log.Error("run lease lost; stopping the run", "connection", name, "holder", holder)
						cancel(fmt.Errorf("app: lease of %q lost to another instance: %w", name, err))
						return
					}
					a.Log.Warn("run lease renewal failed; retrying", "connection", name, "err", err)
				}
			}
		}
	}()
	defer func() {
		close(done)
		<-stopped
		cancel(nil)
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer rcancel()
		if err := a.Store.ReleaseLease(rctx, name, holder); err != nil {
			a.Log.Warn("releasing the run lease failed; it expires by itself", "connection", name, "err", err)
		}
	}()
	if n, err := a.Store.FailOrphanedRuns(ctx, name, holder, "interrupted: the usersync process running it stopped (crash or kill) before it finished"); err != nil {
		return err
	} else if n > 0 {
		a.Log.Warn("marked interrupted runs failed", "connection", name, "runs", n)
	}
	return fn(ctx)
}
