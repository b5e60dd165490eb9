package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/usersync/usersync/internal/app"
)

// withApp opens the store the flags name, runs do with the app and closes
// it again.
func (f *flagSet) withApp(ctx context.Context, e *env, do func(a *app.App) error) error {
	a, err := f.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	return do(a)
}

// run is the shape of most subcommands: it parses args, which must hold
// want positional arguments (what names them for the usage error), opens
// the app and runs do with it and the positional arguments.
func (f *flagSet) run(ctx context.Context, e *env, args []string, want int, what string, do func(a *app.App, pos []string) error) error {
	pos, err := f.parse(args, want, what)
	if err != nil {
		return err
	}
	return f.withApp(ctx, e, func(a *app.App) error { return do(a, pos) })
}

// runWithPassword is run for commands that also read a password from the
// first line of standard input, after parsing and before opening the app.
func (f *flagSet) runWithPassword(ctx context.Context, e *env, args []string, want int, what string,
	do func(a *app.App, pos []string, password string) error) error {
	pos, err := f.parse(args, want, what)
	if err != nil {
		return err
	}
	pw, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	return f.withApp(ctx, e, func(a *app.App) error { return do(a, pos, pw) })
}

// runWithRunID is run for the commands whose one argument is a run ID.
func (f *flagSet) runWithRunID(ctx context.Context, e *env, args []string, do func(a *app.App, id int64) error) error {
	pos, err := f.parse(args, 1, "a run ID")
	if err != nil {
		return err
	}
	id, err := parseRunID(pos[0])
	if err != nil {
		return err
	}
	return f.withApp(ctx, e, func(a *app.App) error { return do(a, id) })
}

// listCommand is the shape of the list subcommands: the flags fs already
// has and --json, no positional arguments, then the items load returns,
// as a JSON list with --json (never null) and through text otherwise.
func listCommand[T any](ctx context.Context, e *env, fs *flagSet, args []string,
	load func(a *app.App) ([]T, error), text func(w io.Writer, items []T) error) error {
	asJSON := fs.Bool("json", false, "print JSON")
	return fs.run(ctx, e, args, 0, "no arguments", func(a *app.App, _ []string) error {
		items, err := load(a)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeList(e.stdout, items)
		}
		return text(e.stdout, items)
	})
}

// tableOf returns a text printer for listCommand that writes a table with
// the header and the cells row gives for each item.
func tableOf[T any](row func(T) []any, header ...string) func(w io.Writer, items []T) error {
	return func(w io.Writer, items []T) error {
		tb := newTable(w, header...)
		for _, it := range items {
			tb.row(row(it)...)
		}
		return tb.flush()
	}
}

// readInput reads the document a -f flag names, or standard input for
// "-". A file that cannot be read is a usage error.
func readInput(e *env, file string) ([]byte, error) {
	var doc []byte
	var err error
	if file == "-" {
		doc, err = io.ReadAll(e.stdin)
	} else {
		doc, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return doc, nil
}

// finishRun ends the commands that start a run (sync, push, runs undo):
// it prints the run, as JSON with asJSON and through text otherwise, then
// turns the run's error into the exit status. An error that is held (the
// deletion guard's) exits as held for approval, with hint after it when
// hint is not empty; any other error exits as a failed run.
func finishRun(e *env, asJSON bool, run any, text func(w io.Writer), err, held error, hint string) error {
	if asJSON {
		if werr := writeJSON(e.stdout, run); werr != nil {
			return werr
		}
	} else {
		text(e.stdout)
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, held) {
		if hint != "" {
			fmt.Fprintln(e.stderr, "usersync:", err, hint)
		} else {
			fmt.Fprintln(e.stderr, "usersync:", err)
		}
		return errHeld
	}
	fmt.Fprintln(e.stderr, "usersync:", err)
	return errRunFailed
}

// createdOrUpdated is the verb an apply command reports.
func createdOrUpdated(created bool) string {
	if created {
		return "created"
	}
	return "updated"
}
