package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

func runRuns(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "runs", args,
		subcommand{"list", runsList}, subcommand{"show", runsShow}, verb("approve", runsDecide), verb("reject", runsDecide),
		subcommand{"undo", runsUndo})
}

func runsList(ctx context.Context, e *env, args []string) error {
	fs := newFlags("runs list", e.stderr)
	conn := fs.String("connection", "", "only runs of this connection")
	limit := fs.Int("limit", 50, "at most this many runs, newest first")
	return listCommand(ctx, e, fs, args,
		func(a *app.App) ([]store.Run, error) {
			return a.Store.ListRuns(ctx, store.RunQuery{Connection: *conn, Limit: *limit})
		},
		tableOf(func(r store.Run) []any {
			return []any{r.ID, r.Connection, r.StartedAt.Local().Format(time.DateTime),
				r.Trigger, r.Mode, r.Status, r.EntriesRead, r.Created, r.Updated, r.Deactivated, r.Failed, r.DurationMs, undoNote(r)}
		}, "ID", "CONNECTION", "STARTED", "TRIGGER", "MODE", "STATUS", "READ", "CREATED", "UPDATED", "DEACTIVATED", "FAILED", "MS", "UNDO"))
}

func parseRunID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: run ID must be a positive number, got %q", errUsage, s)
	}
	return id, nil
}

func runsShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags("runs show", e.stderr)
	action := fs.String("action", "", "only outcomes with this action (created, updated, deactivated, skipped, failed, pendingDeactivation)")
	asJSON := fs.Bool("json", false, "print JSON")
	return fs.runWithRunID(ctx, e, args, func(a *app.App, id int64) error { return showRun(ctx, e, a, id, *action, *asJSON) })
}

func showRun(ctx context.Context, e *env, a *app.App, id int64, action string, asJSON bool) error {
	run, err := a.Store.GetRun(ctx, id)
	if err != nil {
		return err
	}
	outs, err := a.Store.ListOutcomes(ctx, id, store.OutcomeQuery{Action: action})
	if err != nil {
		return err
	}
	if asJSON {
		if outs == nil {
			outs = []store.Outcome{}
		}
		return writeJSON(e.stdout, struct {
			store.Run
			Outcomes []store.Outcome `json:"outcomes"`
		}{run, outs})
	}
	fmt.Fprintf(e.stdout, "run %d of %q: %s (%s, %s trigger), started %s, %d ms\n", run.ID, run.Connection, run.Status, run.Mode,
		run.Trigger, run.StartedAt.Local().Format(time.DateTime), run.DurationMs)
	fmt.Fprintf(e.stdout, "  read %d; created %d, updated %d, deactivated %d, unchanged %d, skipped %d, failed %d, pending %d\n",
		run.EntriesRead, run.Created, run.Updated, run.Deactivated, run.Unchanged, run.Skipped, run.Failed, run.PendingDeactivations)
	if run.Error != "" {
		fmt.Fprintf(e.stdout, "  error: %s\n", termSafe(run.Error))
	}
	if note := undoNote(run); note != "" {
		fmt.Fprintf(e.stdout, "  %s\n", note)
	}
	for _, w := range run.Warnings {
		fmt.Fprintf(e.stdout, "  warning: %s\n", termSafe(w))
	}
	for _, o := range outs {
		printOutcome(e.stdout, o)
	}
	return nil
}

func runsDecide(ctx context.Context, e *env, verb string, args []string) error {
	fs := newFlags("runs "+verb, e.stderr)
	decide := (*app.App).RejectRun
	if verb == "approve" {
		decide = (*app.App).ApproveRun
	}
	return fs.runWithRunID(ctx, e, args, func(a *app.App, id int64) error {
		run, err := decide(a, ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "run %d %s: %d users deactivated in all\n", run.ID, run.Status, run.Deactivated)
		return nil
	})
}
