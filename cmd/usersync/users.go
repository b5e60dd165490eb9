package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/store"
)

func runUsers(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "users", args,
		subcommand{"list", usersList}, subcommand{"show", usersShow}, subcommand{"explain", usersExplain},
		subcommand{"set", usersSet}, subcommand{"add", usersAdd}, subcommand{"add-local", usersAddLocal},
		verb("assign", usersAssign), verb("unassign", usersAssign))
}

func usersList(ctx context.Context, e *env, args []string) error {
	fs := newFlags("users list", e.stderr)
	conn := fs.String("connection", "", "only users of this connection")
	status := fs.String("status", "", "only users with this status (active or inactive)")
	search := fs.String("search", "", "only users whose userId, name or email contains this text")
	limit := fs.Int("limit", 0, "at most this many users (0: all)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	if err := limits.Search(*search); err != nil {
		return fmt.Errorf("%w: --search: %v", errUsage, err)
	}
	if *status != "" && *status != store.StatusActive && *status != store.StatusInactive {
		return fmt.Errorf("%w: --status must be active or inactive, got %q", errUsage, *status)
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	users, err := a.Store.ListUsers(ctx, store.UserQuery{Connection: *conn, Status: *status, Search: *search, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeList(e.stdout, users)
	}
	return printUsers(e.stdout, users)
}

func printUsers(w io.Writer, users []store.User) error {
	tb := newTable(w, "ID", "CONNECTION", "USER ID", "DISPLAY NAME", "EMAIL", "STATUS")
	for _, u := range users {
		conn := u.Connection
		if u.Source == store.SourceLocal {
			conn = "(local)"
		}
		tb.row(u.ID, conn, u.UserID, u.Fields[store.FieldDisplayName], u.Fields[store.FieldEmail], u.Status)
	}
	if err := tb.flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d users\n", len(users))
	return nil
}

// usersSet records an operator's edit: `users set ID FIELD VALUE`.
func usersSet(ctx context.Context, e *env, args []string) error {
	fs := newFlags("users set", e.stderr)
	asJSON := fs.Bool("json", false, "print the user as JSON")
	pos, err := fs.parse(args, 3, "ID FIELD VALUE")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("%w: user ID must be a number (the ID column of `users list`), got %q", errUsage, pos[0])
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.SetUserField(ctx, id, pos[1], pos[2])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, u)
	}
	fmt.Fprintf(e.stdout, "user %d (%s): %s = %q\n", u.ID, u.UserID, pos[1], pos[2])
	return nil
}
