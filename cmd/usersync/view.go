package main

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/ldapserve"
	"github.com/usersync/usersync/internal/store"
)

// runView manages published LDAP views and their service accounts.
func runView(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "view", args,
		subcommand{"apply", viewApply}, subcommand{"list", viewList}, subcommand{"show", viewShow},
		subcommand{"delete", viewDelete}, subcommand{"account", viewAccount})
}

func viewApply(ctx context.Context, e *env, args []string) error {
	fs := newFlags("view apply", e.stderr)
	file := fs.String("f", "", "view document (JSON); - reads standard input")
	if _, err := fs.parse(args, 0, "-f FILE.json"); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("%w: view apply needs -f FILE.json", errUsage)
	}
	doc, err := readInput(e, *file)
	if err != nil {
		return err
	}
	return fs.withApp(ctx, e, func(a *app.App) error {
		v, created, err := a.ApplyLDAPView(ctx, doc)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "view %q %s: %s\n", v.Name, createdOrUpdated(created), v.BaseDN)
		return nil
	})
}

func viewList(ctx context.Context, e *env, args []string) error {
	return listCommand(ctx, e, newFlags("view list", e.stderr), args,
		func(a *app.App) ([]store.LDAPView, error) { return a.Store.ListLDAPViews(ctx) },
		tableOf(func(v store.LDAPView) []any {
			return []any{v.Name, v.BaseDN, v.Connections, v.IncludeInactive, v.AllowAnonymous}
		}, "NAME", "BASE DN", "CONNECTIONS", "INACTIVE", "ANONYMOUS"))
}

func viewShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags("view show", e.stderr)
	return fs.run(ctx, e, args, 1, "a view NAME", func(a *app.App, pos []string) error {
		v, err := a.Store.GetLDAPView(ctx, pos[0])
		if err != nil {
			return err
		}
		return writeJSON(e.stdout, v)
	})
}

func viewDelete(ctx context.Context, e *env, args []string) error {
	fs := newFlags("view delete", e.stderr)
	return fs.run(ctx, e, args, 1, "a view NAME", func(a *app.App, pos []string) error {
		if err := a.Store.DeleteLDAPView(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "view %q deleted with its service accounts\n", pos[0])
		return nil
	})
}

// viewAccount: `view account set VIEW NAME` (password on standard input),
// `view account list [VIEW]`, `view account delete VIEW NAME`.
func viewAccount(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "view account", args,
		subcommand{"set", func(ctx context.Context, e *env, args []string) error {
			fs := newFlags("view account set", e.stderr)
			return fs.runWithPassword(ctx, e, args, 2, "VIEW NAME (the password on standard input)", func(a *app.App, pos []string, pw string) error {
				dn, err := a.SetLDAPAccount(ctx, pos[0], pos[1], pw)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "service account %q of view %q saved; it binds as %s\n", pos[1], pos[0], dn)
				return nil
			})
		}},
		subcommand{"list", func(ctx context.Context, e *env, args []string) error {
			fs := newFlags("view account list", e.stderr)
			return fs.run(ctx, e, args, -1, "[VIEW]", func(a *app.App, pos []string) error {
				view := ""
				if len(pos) > 0 {
					view = pos[0]
				}
				accts, err := a.Store.ListLDAPAccounts(ctx, view)
				if err != nil {
					return err
				}
				for _, ac := range accts {
					v, err := a.Store.GetLDAPView(ctx, ac.View)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", ac.View, ac.Name, ldapserve.AccountDN(v, ac.Name))
				}
				return nil
			})
		}},
		subcommand{"delete", func(ctx context.Context, e *env, args []string) error {
			fs := newFlags("view account delete", e.stderr)
			return fs.run(ctx, e, args, 2, "VIEW NAME", func(a *app.App, pos []string) error {
				if err := a.Store.DeleteLDAPAccount(ctx, pos[0], pos[1]); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "service account %q of view %q deleted\n", pos[1], pos[0])
				return nil
			})
		}},
	)
}
