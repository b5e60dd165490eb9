package app

import (
	"context"
	"errors"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// ScheduleInfo is one line of `usersync schedule list`: a connection's
// schedule with the date it last ran.
type ScheduleInfo struct {
	Connection string     `json:"connection"`
	Schedule   string     `json:"schedule"`
	TimeZone   string     `json:"timeZone"`
	Live       bool       `json:"live"`
	Paused     bool       `json:"paused"`
	LastRun    *store.Run `json:"lastRun,omitempty"`
	NextRun    *time.Time `json:"nextRun,omitempty"`
	// RunningBy names the instance holding the connection's lease, if any.
	RunningBy string `json:"runningBy,omitempty"`
	// RunRequested says a "run now" waits for the scheduler.
	RunRequested bool `json:"runRequested,omitempty"`
}

// Schedules lists every connection's schedule, last run and next run as of
// now. The next run is computed from the schedule, as a running scheduler
// computes it; a paused or "off" connection has none.
func (a *App) Schedules(ctx context.Context, now time.Time) ([]ScheduleInfo, error) {
	conns, err := a.Store.ListConnections(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ScheduleInfo, 0, len(conns))
	for _, c := range conns {
		sp, err := c.ScheduleSpec()
		if err != nil {
			return nil, err
		}
		st, err := a.Store.GetScheduleState(ctx, c.Name)
		if err != nil {
			return nil, err
		}
		info := ScheduleInfo{Connection: c.Name, Schedule: sp.String(), TimeZone: sp.Location().String(), Live: c.Live,
			Paused: st.Paused, RunRequested: st.RunRequestedAt != nil}
		runs, err := a.Store.ListRuns(ctx, store.RunQuery{Connection: c.Name, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(runs) > 0 {
			info.LastRun = &runs[0]
		}
		if !st.Paused && !sp.IsOff() {
			next := sp.Next(now)
			if st.NextRunAt != nil && st.NextRunAt.After(now) && st.NextRunAt.Before(next) {
				next = *st.NextRunAt
			}
			info.NextRun = &next
		}
		if l, err := a.Store.GetLease(ctx, c.Name); err == nil && l.ExpiresAt.After(now) {
			info.RunningBy = l.Holder
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// requireConnection turns a missing connection into a usage error.
func (a *App) requireConnection(ctx context.Context, name string) error {
	_, _, err := a.Store.GetConnection(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return usagef("no connection named %q (see `usersync connection list`)", name)
	}
	return err
}

// PauseSchedule stops a connection's scheduled and live runs until
// ResumeSchedule ("stop provisioning"). A run in progress
// finishes; manual syncs still work.
func (a *App) PauseSchedule(ctx context.Context, name string) (err error) {
	defer func() { a.auditIf(ctx, err, AuditSchedulePause, "connection "+name, "") }()
	if err := a.requireConnection(ctx, name); err != nil {
		return err
	}
	a.Log.Info("schedule paused", "connection", name)
	return a.Store.SetPaused(ctx, name, true)
}

// ResumeSchedule undoes PauseSchedule ("start provisioning").
func (a *App) ResumeSchedule(ctx context.Context, name string) (err error) {
	defer func() { a.auditIf(ctx, err, AuditScheduleResume, "connection "+name, "") }()
	if err := a.requireConnection(ctx, name); err != nil {
		return err
	}
	a.Log.Info("schedule resumed", "connection", name)
	return a.Store.SetPaused(ctx, name, false)
}

// RestartSchedule forgets the connection's change token, so that the next
// run reads everything from scratch, resumes the schedule and asks the
// scheduler to run a full sync now ("restart provisioning").
func (a *App) RestartSchedule(ctx context.Context, name string) (err error) {
	defer func() { a.auditIf(ctx, err, AuditScheduleRestart, "connection "+name, "") }()
	if err := a.requireConnection(ctx, name); err != nil {
		return err
	}
	if err := a.Store.ClearChangeToken(ctx, name); err != nil {
		return err
	}
	if err := a.Store.SetPaused(ctx, name, false); err != nil {
		return err
	}
	a.Log.Info("schedule restarted: change token cleared, full run requested", "connection", name)
	return a.Store.RequestRun(ctx, name, true)
}

// RunNow asks the scheduler to run the connection as soon as it can (a
// manual synchronization through the scheduler; `usersync sync` runs in
// the foreground instead).
func (a *App) RunNow(ctx context.Context, name string, full bool) (err error) {
	defer func() { a.auditIf(ctx, err, AuditScheduleRunNow, "connection "+name, "") }()
	if err := a.requireConnection(ctx, name); err != nil {
		return err
	}
	return a.Store.RequestRun(ctx, name, full)
}
