package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// findUser resolves a userId (compared case-insensitively) to one user,
// optionally within one connection ("local" for local users).
func findUser(ctx context.Context, a *app.App, userID, conn string) (store.User, error) {
	users, err := a.Store.ListUsers(ctx, store.UserQuery{Connection: conn, Search: userID})
	if err != nil {
		return store.User{}, err
	}
	var found []store.User
	for _, u := range users {
		if strings.EqualFold(u.UserID, userID) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return store.User{}, fmt.Errorf("%w: no user %q", errUsage, userID)
	case 1:
		return found[0], nil
	}
	return store.User{}, fmt.Errorf("%w: %d users are %q; say which with --connection NAME", errUsage, len(found), userID)
}

// usersAssign runs `users assign|unassign USERID --permission-set NAME
// --group NAME --site NAME`: manual memberships, which sync never removes.
func usersAssign(ctx context.Context, e *env, sub string, args []string) error {
	fs := newFlags("users "+sub, e.stderr)
	conn := fs.String("connection", "", "the user's connection, when the userId is not unique")
	names := map[string]*string{
		store.KindPermissionSet: fs.String("permission-set", "", "a permission set"),
		store.KindGroup:         fs.String("group", "", "an application group"),
		store.KindSite:          fs.String("site", "", "a site"),
	}
	pos, err := fs.parse(args, 1, "a USERID")
	if err != nil {
		return err
	}
	if *names[store.KindPermissionSet] == "" && *names[store.KindGroup] == "" && *names[store.KindSite] == "" {
		return fmt.Errorf("%w: users %s needs --permission-set, --group or --site", errUsage, sub)
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := findUser(ctx, a, pos[0], *conn)
	if err != nil {
		return err
	}
	for _, kind := range store.Kinds {
		name := *names[kind]
		if name == "" {
			continue
		}
		err = a.SetManualMembership(ctx, u.ID, kind, name, sub == "assign")
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s %s %q (manual)\n", u.UserID, map[string]string{"assign": "joined", "unassign": "left"}[sub], kind, name)
	}
	return nil
}

// usersShow prints one user with their memberships and super-user flag.
func usersShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags("users show", e.stderr)
	conn := fs.String("connection", "", "the user's connection, when the userId is not unique")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.parse(args, 1, "a USERID")
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := findUser(ctx, a, pos[0], *conn)
	if err != nil {
		return err
	}
	ms, err := a.UserMemberships(ctx, u.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, struct {
			User        store.User         `json:"user"`
			Memberships []store.Membership `json:"memberships"`
		}{u, ms})
	}
	fmt.Fprintf(e.stdout, "%s (%s, %s, super user: %v)\n", termSafe(u.UserID), termSafe(u.Connection), u.Status, u.SuperUser)
	tb := newTable(e.stdout, "KIND", "NAME", "SOURCE")
	for _, m := range ms {
		tb.row(m.Kind, m.Name, m.Source)
	}
	return tb.flush()
}
