package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// runsUndo is `usersync runs undo ID`: a new run that takes back what run
// ID changed, leaving alone (and listing) every value changed since.
func runsUndo(ctx context.Context, e *env, args []string) error {
	fs := newFlags("runs undo", e.stderr)
	dry := fs.Bool("dry-run", false, "preview: print what the undo would change and the conflicts, and write nothing")
	asJSON := fs.Bool("json", false, "print the undo run's report as JSON")
	pos, err := fs.parse(args, 1, "a run ID")
	if err != nil {
		return err
	}
	id, err := parseRunID(pos[0])
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.UndoRun(ctx, id, *dry)
	if rep == nil {
		return err
	}
	if *asJSON {
		if werr := writeJSON(e.stdout, rep); werr != nil {
			return werr
		}
	} else {
		fmt.Fprintf(e.stdout, "undo of run %d: ", id)
		printReport(e.stdout, &rep.Report)
		if len(rep.Conflicts) > 0 {
			fmt.Fprintf(e.stdout, "  %d conflicts (changed since run %d, left as they are)", len(rep.Conflicts), id)
			if rep.DryRun {
				// The plan above lists them.
				fmt.Fprintln(e.stdout)
			} else {
				fmt.Fprintln(e.stdout, ":")
				for _, c := range rep.Conflicts {
					fmt.Fprintf(e.stdout, "  conflict %s\n", termSafe(c.String()))
				}
			}
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, reconcile.ErrGuardTipped):
		fmt.Fprintln(e.stderr, "usersync:", err)
		return errHeld
	default:
		fmt.Fprintln(e.stderr, "usersync:", err)
		return errRunFailed
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
