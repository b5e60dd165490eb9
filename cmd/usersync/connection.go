package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

func runConnection(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "connection", args,
		subcommand{"apply", connectionApply}, subcommand{"list", connectionList}, subcommand{"show", connectionShow},
		subcommand{"check", connectionCheck}, subcommand{"configure-two", connectionConfigureTwo},
		subcommand{"delete", connectionDelete})
}

func connectionApply(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection apply", e.stderr)
	file := fs.String("f", "", "connection document (JSON); - reads standard input")
	asJSON := fs.Bool("json", false, "print the stored connection as JSON")
	if _, err := fs.parse(args, 0, "-f FILE.json"); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("%w: connection apply needs -f FILE.json", errUsage)
	}
	doc, err := readInput(e, *file)
	if err != nil {
		return err
	}
	return fs.withApp(ctx, e, func(a *app.App) error {
		c, created, err := a.ApplyConnection(ctx, doc)
		if err != nil {
			return err
		}
		warnInsecure(e.stderr, c)
		if *asJSON {
			return writeJSON(e.stdout, c)
		}
		fmt.Fprintf(e.stdout, "connection %q %s\n", c.Name, createdOrUpdated(created))
		return nil
	})
}

func connectionList(ctx context.Context, e *env, args []string) error {
	table := tableOf(func(c connection.Connection) []any {
		sec := c.Security
		if c.TLSSkipVerify {
			sec += " (NOT VERIFIED)"
		}
		return []any{c.Name, c.FriendlyName, c.DirectoryType + "/" + c.SystemType, c.Address(), sec, c.SearchPath}
	}, "NAME", "FRIENDLY NAME", "TYPE", "SERVER", "SECURITY", "SEARCH PATH")
	return listCommand(ctx, e, newFlags("connection list", e.stderr), args,
		func(a *app.App) ([]connection.Connection, error) { return a.Store.ListConnections(ctx) },
		func(w io.Writer, cs []connection.Connection) error {
			if err := table(w, cs); err != nil {
				return err
			}
			for _, c := range cs {
				warnInsecure(e.stderr, c)
			}
			return nil
		})
}

// warnInsecure prints one line to w for each insecure setting of c: on
// standard error where standard output is a document or a table scripts
// read (apply, list), with the result of a working check.
func warnInsecure(w io.Writer, c connection.Connection) {
	for _, p := range c.Insecure() {
		fmt.Fprintf(w, "warning: connection %s: %s\n", termSafe(c.Name), termSafe(p.Error()))
	}
}

func connectionShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection show", e.stderr)
	return fs.run(ctx, e, args, 1, "a connection NAME", func(a *app.App, pos []string) error {
		c, _, err := a.Store.GetConnection(ctx, pos[0])
		if err != nil {
			return err
		}
		return writeJSON(e.stdout, c)
	})
}

// connectionDelete removes a connection, refused while a run of it is in
// progress. Its users stay.
func connectionDelete(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection delete", e.stderr)
	return fs.run(ctx, e, args, 1, "a connection NAME", func(a *app.App, pos []string) error {
		if err := a.DeleteConnection(ctx, pos[0]); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: no connection named %q (see `usersync connection list`)", errUsage, pos[0])
			}
			return err
		}
		fmt.Fprintf(e.stdout, "connection %q deleted; its users stay\n", pos[0])
		return nil
	})
}

func connectionCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection check", e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	return fs.run(ctx, e, args, 1, "a connection NAME", func(a *app.App, pos []string) error {
		return checkConnection(ctx, e, a, pos[0], *asJSON)
	})
}

func checkConnection(ctx context.Context, e *env, a *app.App, name string, asJSON bool) error {
	res, err := a.CheckConnection(ctx, name)
	if err != nil {
		if asJSON && !isUsage(err) {
			_ = writeJSON(e.stdout, map[string]any{"ok": false, "error": err.Error()})
		}
		return err
	}
	// A failed check stays one line; a working connection that is
	// insecure says so with the result.
	c, _, err := a.Store.GetConnection(ctx, name)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, map[string]any{"ok": true, "flavor": res.Flavor, "vendor": res.Vendor, "entries": res.Entries, "steps": res.Steps,
			"warnings": c.Insecure()})
	}
	for _, s := range res.Steps {
		fmt.Fprintln(e.stdout, "ok:", s)
	}
	warnInsecure(e.stdout, c)
	fmt.Fprintf(e.stdout, "connection %q works: %s, %d entries match (%s)\n", name, res.Flavor, res.Entries, res.Duration.Round(1e6))
	return nil
}
