package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/usersync/usersync/internal/app"
)

func runSchedule(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "schedule", args, subcommand{"list", scheduleList},
		verb("pause", scheduleAction), verb("resume", scheduleAction), verb("restart", scheduleAction), verb("run", scheduleAction))
}

func scheduleList(ctx context.Context, e *env, args []string) error {
	return listCommand(ctx, e, newFlags("schedule list", e.stderr), args,
		func(a *app.App) ([]app.ScheduleInfo, error) { return a.Schedules(ctx, time.Now()) }, printSchedules)
}

func printSchedules(w io.Writer, infos []app.ScheduleInfo) error {
	tb := newTable(w, "CONNECTION", "SCHEDULE", "TIME ZONE", "STATE", "LAST RUN", "LAST STATUS", "NEXT RUN")
	for _, i := range infos {
		state := "active"
		switch {
		case i.Paused:
			state = "paused"
		case i.RunningBy != "":
			state = "running (" + i.RunningBy + ")"
		case i.RunRequested:
			state = "run requested"
		}
		if i.Live && !i.Paused {
			state += ", live"
		}
		last, status := "never", "-"
		if i.LastRun != nil {
			last = i.LastRun.StartedAt.In(time.Local).Format("2006-01-02 15:04:05 MST")
			status = fmt.Sprintf("%s (run %d, %s)", i.LastRun.Status, i.LastRun.ID, i.LastRun.Trigger)
		}
		next := "-"
		if i.NextRun != nil {
			next = i.NextRun.Format("2006-01-02 15:04:05 MST")
		}
		tb.row(i.Connection, i.Schedule, i.TimeZone, state, last, status, next)
	}
	return tb.flush()
}

func scheduleAction(ctx context.Context, e *env, action string, args []string) error {
	fs := newFlags("schedule "+action, e.stderr)
	full := fs.Bool("full", false, "run: read everything from scratch")
	return fs.run(ctx, e, args, 1, "a connection NAME", func(a *app.App, pos []string) error {
		return scheduleDo(ctx, e, a, action, pos[0], *full)
	})
}

func scheduleDo(ctx context.Context, e *env, a *app.App, action, name string, full bool) error {
	var err error
	switch action {
	case "pause":
		err = a.PauseSchedule(ctx, name)
	case "resume":
		err = a.ResumeSchedule(ctx, name)
	case "restart":
		err = a.RestartSchedule(ctx, name)
	case "run":
		err = a.RunNow(ctx, name, full)
	}
	if err != nil {
		return err
	}
	msg := map[string]string{
		"pause":   "paused: no scheduled or live runs until `usersync schedule resume %s`",
		"resume":  "resumed: scheduled runs continue for %s",
		"restart": "restarted: change token cleared; the scheduler runs %s from scratch now",
		"run":     "requested: the scheduler runs %s within a second or two",
	}[action]
	fmt.Fprintf(e.stdout, msg+"\n", name)
	return nil
}
