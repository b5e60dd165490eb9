package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
)

var errUsage = app.ErrUsage

// flagSet is a flag.FlagSet that accepts flags before and after positional
// arguments (`sync NAME --json` as well as `sync --json NAME`), and always
// has --db.
type flagSet struct {
	*flag.FlagSet
	db             *string
	forbidInsecure *bool
	intervalFloor  *time.Duration
}

func newFlags(name string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "store: a SQLite path or a postgres:// URL (default $USERSYNC_DB or ./usersync.db)")
	forbid := fs.Bool("forbid-insecure", false, "refuse to save, check or run a connection that sends its password in clear or skips certificate verification (default $USERSYNC_FORBID_INSECURE=1)")
	floor := fs.Duration("min-interval-floor", connection.DefaultIntervalFloor, "the shortest minInterval a connection may have, and the least time between two scheduled runs of one connection")
	return &flagSet{FlagSet: fs, db: db, forbidInsecure: forbid, intervalFloor: floor}
}

// parse returns the positional arguments, which must number exactly want
// (want < 0: any number).
func (f *flagSet) parse(args []string, want int, what string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if want >= 0 && len(pos) != want {
		return nil, fmt.Errorf("%w: %s expects %s", errUsage, f.Name(), what)
	}
	return pos, nil
}

func (f *flagSet) dbPath() string {
	if *f.db != "" {
		return *f.db
	}
	if v := os.Getenv("USERSYNC_DB"); v != "" {
		return v
	}
	return defaultDB
}

func (f *flagSet) open(ctx context.Context, e *env) (*app.App, error) {
	a, err := openApp(ctx, f.dbPath(), e.log)
	if err != nil {
		return nil, err
	}
	a.ForbidInsecure = *f.forbidInsecure || os.Getenv("USERSYNC_FORBID_INSECURE") == "1"
	if *f.intervalFloor <= 0 {
		a.Close()
		return nil, fmt.Errorf("%w: --min-interval-floor must be positive, got %s", errUsage, *f.intervalFloor)
	}
	a.IntervalFloor = *f.intervalFloor
	return a, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeList writes a list as JSON, an empty one as [] rather than null, so
// that scripts can always iterate over it.
func writeList[T any](w io.Writer, items []T) error {
	if items == nil {
		items = []T{}
	}
	return writeJSON(w, items)
}

func isUsage(err error) bool { return errors.Is(err, errUsage) }
