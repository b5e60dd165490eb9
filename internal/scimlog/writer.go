package scimlog

import (
	"context"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// batchSize is the most entries written in one transaction: a burst of
// Entra's requests costs one commit per batch, not one per request.
const batchSize = 256

// pruneEvery is how often entries older than the retention are forgotten.
const pruneEvery = time.Hour

// Run writes queued entries until ctx ends, then writes what is left and
// returns. It also forgets entries older than the retention, at start and
// every hour.
func (l *Log) Run(ctx context.Context) {
	write := context.WithoutCancel(ctx)
	l.prune(write)
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	var batch []store.SCIMRequest
	var waiting []chan struct{}
	flush := func() {
		if len(batch) > 0 {
			if err := l.st.AddSCIMRequests(write, batch); err != nil {
				l.opts.Logger.Error("scim request log: entries not written", "entries", len(batch), "error", err)
			}
			batch = batch[:0]
		}
		for _, d := range waiting {
			close(d)
		}
		waiting = waiting[:0]
	}
	for {
		select {
		case it := <-l.queue:
			l.take(it, &batch, &waiting)
			// Take what else is queued without waiting, up to a batch.
		more:
			for len(batch) < batchSize {
				select {
				case it := <-l.queue:
					l.take(it, &batch, &waiting)
				default:
					break more
				}
			}
			flush()
		case <-tick.C:
			l.prune(write)
		case <-ctx.Done():
			for {
				select {
				case it := <-l.queue:
					l.take(it, &batch, &waiting)
					if len(batch) >= batchSize {
						flush()
					}
				default:
					flush()
					return
				}
			}
		}
	}
}

func (l *Log) take(it item, batch *[]store.SCIMRequest, waiting *[]chan struct{}) {
	if it.done != nil {
		*waiting = append(*waiting, it.done)
		return
	}
	*batch = append(*batch, it.entry)
}

func (l *Log) prune(ctx context.Context) {
	if _, err := l.st.PurgeSCIMRequests(ctx, l.now().Add(-l.opts.Retention)); err != nil {
		l.opts.Logger.Error("scim request log: old entries not purged", "error", err)
	}
}

// Flush waits until every entry logged before the call is written, or ctx
// ends. Run must be running.
func (l *Log) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case l.queue <- item{done: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
