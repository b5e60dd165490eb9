package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/usersync/usersync/internal/store"
)

func runStore(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "store", args, subcommand{"copy", storeCopy})
}

// storeCopy copies everything in the store --db names into a new or empty
// store --to names (a SQLite path or a PostgreSQL URL), in one transaction
// of the target. Sealed secrets travel sealed: the same secret key opens
// them in the target, and the key itself is never read.
func storeCopy(ctx context.Context, e *env, args []string) error {
	fs := newFlags("store copy", e.stderr)
	to := fs.String("to", "", "the target store: a postgres:// URL or a SQLite path (new or empty)")
	if _, err := fs.parse(args, 0, "no arguments (--to TARGET)"); err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("%w: store copy needs --to, a postgres:// URL or a SQLite path", errUsage)
	}
	from := fs.dbPath()
	if from == *to || !isPostgresURL(from) && !isPostgresURL(*to) && abs(from) == abs(*to) {
		return fmt.Errorf("%w: --to names the source store itself", errUsage)
	}
	src, err := openStore(ctx, from)
	if err != nil {
		return fmt.Errorf("store copy: the source %s: %w", displayDB(from), err)
	}
	defer src.Close()
	dst, err := openStore(ctx, *to)
	if err != nil {
		return fmt.Errorf("store copy: the target %s: %w", displayDB(*to), err)
	}
	defer dst.Close()
	exp, ok := src.(store.Exporter)
	if !ok {
		return fmt.Errorf("store copy: the source store cannot export its tables")
	}
	imp, ok := dst.(store.Importer)
	if !ok {
		return fmt.Errorf("store copy: the target store cannot import tables")
	}
	counts, err := imp.ImportFrom(ctx, exp)
	if err != nil {
		if errors.Is(err, store.ErrNotEmptyStore) {
			return fmt.Errorf("%w: store copy: %v", errUsage, err)
		}
		return fmt.Errorf("store copy: %w", err)
	}
	tables := make([]string, 0, len(counts))
	for t := range counts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	tb := newTable(e.stdout, "TABLE", "ROWS")
	for _, t := range tables {
		tb.row(t, counts[t])
	}
	if err := tb.flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "copied %s to %s. Run usersync on the target with the same secret key (USERSYNC_SECRET_KEY or USERSYNC_SECRET_KEY_FILE): bind passwords stay sealed with it.\n",
		displayDB(from), displayDB(*to))
	return nil
}
