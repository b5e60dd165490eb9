package live

import (
	"context"
	"errors"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// pollEntra follows an Entra connection by asking Graph, every poll
// period, whether its delta links have anything new, and running an
// incremental sync with trigger "live" when they do. Graph has no push
// for directory objects that reaches a host without a public address, and
// the delta link already names everything since the last run, so a run
// that finds changes is exactly the small incremental run live mode wants;
// polls that find nothing record no run.
func (f *Follower) pollEntra(ctx context.Context, name string, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		changed, err := f.App.EntraChanged(ctx, name)
		if err != nil {
			return err
		}
		if changed {
			start := time.Now()
			rep, err := f.App.Sync(ctx, name, app.SyncOptions{Trigger: store.TriggerLive})
			switch {
			case errors.Is(err, store.ErrLeaseHeld):
				// Another run has it; the next poll sees what is left.
			case err != nil && ctx.Err() == nil:
				f.log().Warn("live mode: Entra run failed", "connection", name, "err", err)
			case err == nil && f.Metrics != nil && rep != nil:
				f.Metrics.ObserveLive(name, time.Since(start), rep.EntriesRead)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
