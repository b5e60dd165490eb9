package main

import (
	"context"
	"io"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/scimpush"
	"github.com/usersync/usersync/internal/store"
)

// runPush pushes a SCIM target's pending changes now: the events since its
// position, or with --full every user compared with the target.
func runPush(ctx context.Context, e *env, args []string) error {
	fs := newFlags("push", e.stderr)
	full := fs.Bool("full", false, "compare every user on the target with the store and fix the differences")
	approve := fs.Bool("approve", false, "push the deactivations and deletions the deletion guard held back")
	asJSON := fs.Bool("json", false, "print the run as JSON")
	return fs.run(ctx, e, args, 1, "a SCIM target NAME", func(a *app.App, pos []string) error {
		run, err := a.Push(ctx, pos[0], app.PushOptions{Full: *full, Approve: *approve, Trigger: store.TriggerManual})
		if run.ID == 0 {
			return err
		}
		return finishRun(e, *asJSON, run, func(w io.Writer) { printReport(w, &reconcile.Report{Run: run}) },
			err, scimpush.ErrHeld, "(run `usersync push "+pos[0]+" --approve` to push them)")
	})
}
