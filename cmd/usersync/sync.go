package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

func runSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags("sync", e.stderr)
	dry := fs.Bool("dry-run", false, "plan only: print what would change and write nothing")
	full := fs.Bool("full", false, "read every entry, ignoring any saved change token")
	asJSON := fs.Bool("json", false, "print the run report as JSON")
	return fs.run(ctx, e, args, 1, "a connection NAME", func(a *app.App, pos []string) error {
		rep, err := a.Sync(ctx, pos[0], app.SyncOptions{DryRun: *dry, Full: *full, Trigger: store.TriggerManual})
		if rep == nil {
			return err
		}
		return finishRun(e, *asJSON, rep, func(w io.Writer) { printReport(w, rep) }, err, reconcile.ErrGuardTipped, "")
	})
}

func printReport(w io.Writer, rep *reconcile.Report) {
	kind := "run"
	if rep.DryRun {
		kind = "dry run (nothing written)"
	} else {
		kind = fmt.Sprintf("run %d", rep.ID)
	}
	fmt.Fprintf(w, "%s of %q: %s, %s, %d entries read in %d ms\n", kind, rep.Connection, rep.Status, rep.Mode, rep.EntriesRead, rep.DurationMs)
	fmt.Fprintf(w, "  created %d, updated %d, deactivated %d, deleted %d, unchanged %d, skipped %d, failed %d",
		rep.Created, rep.Updated, rep.Deactivated, rep.Deleted, rep.Unchanged, rep.Skipped, rep.Failed)
	if rep.MembershipChanges > 0 {
		fmt.Fprintf(w, ", %d membership changes", rep.MembershipChanges)
	}
	if rep.PendingDeactivations > 0 {
		fmt.Fprintf(w, ", %d deactivations waiting for approval", rep.PendingDeactivations)
	}
	fmt.Fprintln(w)
	if rep.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", termSafe(rep.Error))
	}
	if rep.DryRun {
		for _, o := range rep.Plan {
			printOutcome(w, o)
		}
		if rep.PlanTruncated {
			fmt.Fprintf(w, "  ... plan cut at %d users\n", reconcile.MaxPlanOutcomes)
		}
	}
}

func printOutcome(w io.Writer, o store.Outcome) {
	id := o.UserID
	if id == "" {
		id = o.ExternalID
	}
	fmt.Fprintf(w, "  %-20s %s", o.Action, termSafe(id))
	if o.Reason != "" {
		fmt.Fprintf(w, ": %s", termSafe(o.Reason))
	}
	if len(o.Changes) > 0 {
		parts := make([]string, len(o.Changes))
		for i, c := range o.Changes {
			parts[i] = fmt.Sprintf("%s %q → %q", c.Field, c.Old, c.New)
		}
		fmt.Fprintf(w, " [%s]", termSafe(strings.Join(parts, "; ")))
	}
	if len(o.Warnings) > 0 {
		fmt.Fprintf(w, " (warnings: %s)", termSafe(strings.Join(o.Warnings, "; ")))
	}
	fmt.Fprintln(w)
}
