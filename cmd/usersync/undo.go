package main

import (
	"context"
	"fmt"
	"io"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// runsUndo is `usersync runs undo ID`: a new run that takes back what run
// ID changed, leaving alone (and listing) every value changed since.
func runsUndo(ctx context.Context, e *env, args []string) error {
	fs := newFlags("runs undo", e.stderr)
	dry := fs.Bool("dry-run", false, "preview: print what the undo would change and the conflicts, and write nothing")
	asJSON := fs.Bool("json", false, "print the undo run's report as JSON")
	return fs.runWithRunID(ctx, e, args, func(a *app.App, id int64) error {
		rep, err := a.UndoRun(ctx, id, *dry)
		if rep == nil {
			return err
		}
		return finishRun(e, *asJSON, rep, func(w io.Writer) { printUndo(w, id, rep) }, err, reconcile.ErrGuardTipped, "")
	})
}

// printUndo prints an undo run's report and the conflicts it left alone.
func printUndo(w io.Writer, id int64, rep *app.UndoReport) {
	fmt.Fprintf(w, "undo of run %d: ", id)
	printReport(w, &rep.Report)
	if len(rep.Conflicts) == 0 {
		return
	}
	fmt.Fprintf(w, "  %d conflicts (changed since run %d, left as they are)", len(rep.Conflicts), id)
	if rep.DryRun {
		// The plan above lists them.
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, ":")
	for _, c := range rep.Conflicts {
		fmt.Fprintf(w, "  conflict %s\n", termSafe(c.String()))
	}
}

// undoNote says which run undid r, or which run r undoes.
func undoNote(r store.Run) string {
	switch {
	case r.UndoneBy != 0:
		return fmt.Sprintf("undone by run %d", r.UndoneBy)
	case r.UndoOf != 0:
		return fmt.Sprintf("undo of run %d", r.UndoOf)
	}
	return ""
}
