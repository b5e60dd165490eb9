package app

import (
	"context"
	"os"
	"time"
)

// EnvEventRetention names the environment variable that sets how long the
// change feed keeps an event (a Go duration such as "720h").
const EnvEventRetention = "USERSYNC_EVENTS_RETENTION"

// DefaultEventRetention is how long an event is kept when
// USERSYNC_EVENTS_RETENTION is not set.
const DefaultEventRetention = 30 * 24 * time.Hour

// EventRetention is how long the change feed keeps events: the duration in
// USERSYNC_EVENTS_RETENTION, or 30 days. A value that is not a positive
// duration is an error naming the variable.
func EventRetention() (time.Duration, error) {
	v := os.Getenv(EnvEventRetention)
	if v == "" {
		return DefaultEventRetention, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("%s must be a positive duration such as 720h, got %q", EnvEventRetention, v)
	}
	return d, nil
}

// PruneEvents deletes the events older than the retention.
func (a *App) PruneEvents(ctx context.Context) (int, error) {
	keep, err := EventRetention()
	if err != nil {
		return 0, err
	}
	return a.Store.PruneEvents(ctx, time.Now().Add(-keep))
}

// pruneEvents prunes the change feed after a run; a failure is logged, as
// it costs only disk space.
func (a *App) pruneEvents(ctx context.Context) {
	n, err := a.PruneEvents(ctx)
	switch {
	case err != nil:
		a.Log.Warn("could not prune the events past their retention", "err", err)
	case n > 0:
		a.Log.Info("pruned events past their retention", "count", n)
	}
}

// PruneEventsEvery prunes the change feed every interval until ctx ends,
// so that a store whose users change only by hand, without runs, keeps its
// retention too.
func (a *App) PruneEventsEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.pruneEvents(ctx)
		}
	}
}
