package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

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
	var doc []byte
	var err error
	if *file == "-" {
		doc, err = io.ReadAll(e.stdin)
	} else {
		doc, err = os.ReadFile(*file)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	c, created, err := a.ApplyConnection(ctx, doc)
	if err != nil {
		return err
	}
	warnInsecure(e.stderr, c)
	if *asJSON {
		return writeJSON(e.stdout, c)
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(e.stdout, "connection %q %s\n", c.Name, verb)
	return nil
}

func connectionList(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection list", e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	cs, err := a.Store.ListConnections(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeList(e.stdout, cs)
	}
	tb := newTable(e.stdout, "NAME", "FRIENDLY NAME", "TYPE", "SERVER", "SECURITY", "SEARCH PATH")
	for _, c := range cs {
		sec := c.Security
		if c.TLSSkipVerify {
			sec += " (NOT VERIFIED)"
		}
		tb.row(c.Name, c.FriendlyName, c.DirectoryType+"/"+c.SystemType, c.Address(), sec, c.SearchPath)
	}
	if err := tb.flush(); err != nil {
		return err
	}
	for _, c := range cs {
		warnInsecure(e.stderr, c)
	}
	return nil
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
	pos, err := fs.parse(args, 1, "a connection NAME")
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	c, _, err := a.Store.GetConnection(ctx, pos[0])
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, c)
}

// connectionDelete removes a connection, refused while a run of it is in
// progress. Its users stay.
func connectionDelete(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection delete", e.stderr)
	pos, err := fs.parse(args, 1, "a connection NAME")
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.DeleteConnection(ctx, pos[0]); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: no connection named %q (see `usersync connection list`)", errUsage, pos[0])
		}
		return err
	}
	fmt.Fprintf(e.stdout, "connection %q deleted; its users stay\n", pos[0])
	return nil
}

func connectionCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection check", e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.parse(args, 1, "a connection NAME")
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.CheckConnection(ctx, pos[0])
	if err != nil {
		if *asJSON && !isUsage(err) {
			_ = writeJSON(e.stdout, map[string]any{"ok": false, "error": err.Error()})
		}
		return err
	}
	// A failed check stays one line; a working connection that is
	// insecure says so with the result.
	c, _, err := a.Store.GetConnection(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"ok": true, "flavor": res.Flavor, "vendor": res.Vendor, "entries": res.Entries, "steps": res.Steps,
			"warnings": c.Insecure()})
	}
	for _, s := range res.Steps {
		fmt.Fprintln(e.stdout, "ok:", s)
	}
	warnInsecure(e.stdout, c)
	fmt.Fprintf(e.stdout, "connection %q works: %s, %d entries match (%s)\n", pos[0], res.Flavor, res.Entries, res.Duration.Round(1e6))
	return nil
}
