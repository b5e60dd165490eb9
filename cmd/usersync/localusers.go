package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// runLocalUser maintains local users through the same app methods as the
// API, so that both apply one password policy and one hash.
func runLocalUser(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "local-user", args,
		subcommand{"add", usersAddLocal}, subcommand{"list", localUserList},
		subcommand{"password", localUserPassword}, subcommand{"remove", localUserRemove})
}

// usersAddLocal creates a local user; the password is the first line of
// standard input.
func usersAddLocal(ctx context.Context, e *env, args []string) error {
	fs := newFlags("local-user add", e.stderr)
	display := fs.String("display-name", "", "the user's display name")
	email := fs.String("email", "", "the user's email address")
	return fs.runWithPassword(ctx, e, args, 1, "a USERID; the password is read from standard input", func(a *app.App, pos []string, pw string) error {
		u, err := a.AddLocalUser(ctx, app.LocalUser{UserID: pos[0], DisplayName: *display, Email: *email, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "local user %s created (id %d)\n", u.UserID, u.ID)
		return nil
	})
}

func localUserList(ctx context.Context, e *env, args []string) error {
	return listCommand(ctx, e, newFlags("local-user list", e.stderr), args,
		func(a *app.App) ([]store.User, error) { return a.ListLocalUsers(ctx) }, printUsers)
}

// localUserPassword sets a local user's password from the first line of
// standard input.
func localUserPassword(ctx context.Context, e *env, args []string) error {
	fs := newFlags("local-user password", e.stderr)
	return fs.runWithPassword(ctx, e, args, 1, "an ID or USERID; the new password is read from standard input", func(a *app.App, pos []string, pw string) error {
		u, err := findLocalUser(ctx, a, pos[0])
		if err != nil {
			return err
		}
		if err := a.SetLocalUserPassword(ctx, u.ID, pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of local user %s changed\n", u.UserID)
		return nil
	})
}

func localUserRemove(ctx context.Context, e *env, args []string) error {
	fs := newFlags("local-user remove", e.stderr)
	return fs.run(ctx, e, args, 1, "an ID or USERID", func(a *app.App, pos []string) error {
		u, err := findLocalUser(ctx, a, pos[0])
		if err != nil {
			return err
		}
		if err := a.DeleteLocalUser(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "local user %s removed\n", u.UserID)
		return nil
	})
}

// findLocalUser finds a local user by its ID (a number) or its userId
// (compared ignoring case).
func findLocalUser(ctx context.Context, a *app.App, ref string) (store.User, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return a.LocalUser(ctx, id)
	}
	users, err := a.ListLocalUsers(ctx)
	if err != nil {
		return store.User{}, err
	}
	for _, u := range users {
		if strings.EqualFold(u.UserID, ref) {
			return u, nil
		}
	}
	return store.User{}, fmt.Errorf("%w: no local user %q (see `usersync local-user list`)", errUsage, ref)
}

// runAdmin maintains the administrators of the web UI and the API.
func runAdmin(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "admin", args, subcommand{"password", adminPassword})
}

// adminPassword sets an administrator's password from the first line of
// standard input and logs out all their sessions. Whoever runs it can
// already open the store, so the current password is not asked.
func adminPassword(ctx context.Context, e *env, args []string) error {
	fs := newFlags("admin password", e.stderr)
	pos, err := fs.parse(args, -1, "at most one NAME (default admin); the new password is read from standard input")
	if err != nil {
		return err
	}
	name := app.AdminName
	switch len(pos) {
	case 0:
	case 1:
		name = pos[0]
	default:
		return fmt.Errorf("%w: admin password expects at most one NAME", errUsage)
	}
	pw, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	return fs.withApp(ctx, e, func(a *app.App) error {
		if err := a.SetAdminPassword(ctx, name, pw, ""); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of administrator %s changed; all their sessions were logged out\n", name)
		return nil
	})
}
