package web

import (
	"context"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// startRun starts a sync of conn in the background, in the registry the
// scheduler shares, and returns its run record as soon as it exists. A
// second sync of a connection that is already syncing is store.ErrConflict.
func (s *Server) startRun(ctx context.Context, conn string) (store.Run, error) {
	if _, _, err := s.app.Store.GetConnection(ctx, conn); err != nil {
		return store.Run{}, err
	}
	// The run outlives the request, but keeps its actor for the audit log.
	h, err := s.app.Runs.Start(app.WithActor(s.bg, app.ActorOf(ctx)), conn, app.SyncOptions{Trigger: store.TriggerManual})
	if err != nil {
		return store.Run{}, err
	}
	return h.Recorded(ctx)
}

// progressView is what the live progress bar polls.
type progressView struct {
	RunID       int64   `json:"runId"`
	Connection  string  `json:"connection"`
	Status      string  `json:"status"`
	Done        bool    `json:"done"`
	EntriesRead int     `json:"entriesRead"`
	Applied     int     `json:"applied"`
	Expected    int     `json:"expected"`
	Rate        float64 `json:"ratePerSecond"`
	DurationMs  int64   `json:"durationMs"`
	store.Counts
}

// runProgress combines the stored run with the in-memory state of a running
// sync.
func (s *Server) runProgress(ctx context.Context, id int64) (progressView, error) {
	run, err := s.app.Store.GetRun(ctx, id)
	if err != nil {
		return progressView{}, err
	}
	return s.progressOf(ctx, run)
}

// progressOf is the progress of a run already read. A page that shows a
// run must take its status and its progress from the same read: a run that
// ends between two reads would otherwise be shown as running with a
// progress that is done, and the page's script, which follows only runs
// that are not done, would leave it on "running". Expected is what the
// previous successful run read, for the bar's length; 0 means unknown.
func (s *Server) progressOf(ctx context.Context, run store.Run) (progressView, error) {
	if live, ok := s.app.Runs.Progress(run.ID); ok && run.Status == store.RunRunning && live.EntriesRead >= run.EntriesRead {
		run.Counts = live.Counts
	}
	dur := run.DurationMs
	if run.Status == store.RunRunning {
		dur = time.Since(run.StartedAt).Milliseconds()
	}
	v := progressView{RunID: run.ID, Connection: run.Connection, Status: run.Status, Done: run.Status != store.RunRunning,
		EntriesRead: run.EntriesRead, Applied: run.Created + run.Updated + run.Deactivated, DurationMs: dur, Counts: run.Counts}
	if dur > 0 {
		v.Rate = float64(run.EntriesRead) * 1000 / float64(dur)
	}
	prev, err := s.app.Store.ListRuns(ctx, store.RunQuery{Connection: run.Connection, Status: store.RunSucceeded, Limit: 5})
	if err != nil {
		return v, err
	}
	for _, p := range prev {
		if p.ID != run.ID && p.EntriesRead > 0 {
			v.Expected = p.EntriesRead
			break
		}
	}
	if v.Done {
		v.Expected = v.EntriesRead
	}
	return v, nil
}
