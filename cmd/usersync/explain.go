package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/usersync/usersync/internal/app"
)

// usersExplain answers why a user is or is not in usersync.
func usersExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlags("users explain", e.stderr)
	conn := fs.String("connection", "", "only this connection (default: every connection)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.parse(args, 1, "a USER (userId, UPN, login, mail or external id)")
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	exs, err := a.ExplainUser(ctx, *conn, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeList(e.stdout, exs)
	}
	printExplanations(e.stdout, pos[0], exs)
	return nil
}

func printExplanations(w io.Writer, who string, exs []app.Explanation) {
	if len(exs) == 0 {
		fmt.Fprintln(w, "no connections")
	}
	for _, ex := range exs {
		fmt.Fprintf(w, "%s in %s: %s\n  %s\n", termSafe(who), termSafe(ex.Connection), ex.Verdict, termSafe(ex.Reason))
		if ex.DecidedBy != nil {
			r := ex.DecidedBy
			fmt.Fprintf(w, "  decided by run %d (%s, %s, %s) at %s\n", r.ID, r.Trigger, r.Mode, r.Status, r.StartedAt.Local().Format(time.DateTime))
		}
		for _, o := range ex.Outcomes {
			fmt.Fprintf(w, "  run %d:", o.RunID)
			printOutcome(w, o)
		}
	}
}
