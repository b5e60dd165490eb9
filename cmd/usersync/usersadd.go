package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// errNoMatch says a search found nobody; it exits 1.
var errNoMatch = errors.New("no directory entry matches")

// errNotAdded says the entry was read but the run did not leave it as an
// active user (a disabled account, say); it exits exitNotAdded.
var errNotAdded = errors.New("nothing added")

// usersAdd adds one directory user now (provision on demand): it searches
// the connection's directory like the API does and applies the one match
// through the planner. Several matches are listed and exit 2; none exits 1;
// one the run does not add (or, in a dry run, would not add) exits 5 with
// the reason.
func usersAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags("users add", e.stderr)
	conn := fs.String("connection", "", "the source connection to search (required)")
	dry := fs.Bool("dry-run", false, "show the plan and write nothing")
	asJSON := fs.Bool("json", false, "print the run report as JSON")
	pos, err := fs.parse(args, 1, "a QUERY (part of a name, login, UPN or mail)")
	if err != nil {
		return err
	}
	if *conn == "" {
		return fmt.Errorf("%w: --connection is required", errUsage)
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	found, more, err := a.SearchDirectoryUsers(ctx, *conn, pos[0])
	if err != nil {
		return err
	}
	switch {
	case len(found) == 0:
		return fmt.Errorf("%w under %s's search path and filter for %q", errNoMatch, *conn, pos[0])
	case len(found) > 1:
		tb := newTable(e.stdout, "NAME", "USER ID", "DN")
		for _, u := range found {
			tb.row(u.Name, u.UserID, u.DN)
		}
		_ = tb.flush()
		n := fmt.Sprint(len(found))
		if more {
			n = "more than " + n
		}
		return fmt.Errorf("%w: %s entries match %q; give a more precise query (a full login, UPN or mail)", errUsage, n, pos[0])
	}
	rep, err := a.AddDirectoryUser(ctx, *conn, found[0].DN, *dry)
	if err != nil {
		return err
	}
	if !*dry && rep.ID != 0 {
		if rep.Plan, err = a.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{}); err != nil {
			return err
		}
	}
	added, reason := app.AddedUser(rep)
	notAdded := func() error {
		if added {
			return nil
		}
		return fmt.Errorf("%w: %s: %s", errNotAdded, found[0].DN, reason)
	}
	if *asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
		return notAdded()
	}
	verb := "applied as run " + fmt.Sprint(rep.ID)
	if *dry {
		verb = "dry run, nothing written"
	}
	fmt.Fprintf(e.stdout, "%s (%s): created %d, updated %d, unchanged %d, skipped %d, failed %d",
		found[0].DN, verb, rep.Created, rep.Updated, rep.Unchanged, rep.Skipped, rep.Failed)
	if rep.MembershipChanges > 0 {
		fmt.Fprintf(e.stdout, ", group-rule membership changes %d", rep.MembershipChanges)
	}
	fmt.Fprintln(e.stdout)
	for _, o := range rep.Plan {
		printOutcome(e.stdout, o)
	}
	return notAdded()
}
