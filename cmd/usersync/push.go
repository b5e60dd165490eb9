package main

import (
	"context"
	"errors"
	"fmt"

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
	pos, err := fs.parse(args, 1, "a SCIM target NAME")
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	run, err := a.Push(ctx, pos[0], app.PushOptions{Full: *full, Approve: *approve, Trigger: store.TriggerManual})
	if run.ID == 0 {
		return err
	}
	if *asJSON {
		if werr := writeJSON(e.stdout, run); werr != nil {
			return werr
		}
	} else {
		printReport(e.stdout, &reconcile.Report{Run: run})
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, scimpush.ErrHeld):
		fmt.Fprintln(e.stderr, "usersync:", err, "(run `usersync push", pos[0], "--approve` to push them)")
		return errHeld
	default:
		fmt.Fprintln(e.stderr, "usersync:", err)
		return errRunFailed
	}
}
