package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/usersync/usersync/internal/store/sqlite"
)

// runBackup writes a consistent copy of the SQLite store to FILE while
// other processes (serve, a sync) keep using it.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags("backup", e.stderr)
	force := fs.Bool("force", false, "replace FILE when it exists")
	pos, err := fs.parse(args, 1, "the backup FILE to write")
	if err != nil {
		return err
	}
	dest, db := pos[0], fs.dbPath()
	if isPostgresURL(db) {
		return fmt.Errorf("%w: backup copies a SQLite store; for PostgreSQL use pg_dump (docs/operations.md) or `usersync store copy --to FILE.db`", errUsage)
	}
	if err := refuseExisting(dest, *force); err != nil {
		return err
	}
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("backup: the store %s: %w", db, err)
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, dest); err != nil {
		return err
	}
	v, err := sqlite.Verify(ctx, dest)
	if err != nil {
		return fmt.Errorf("backup: the copy does not verify: %w", err)
	}
	fmt.Fprintf(e.stdout, "backup of %s written to %s (schema version %d, integrity ok)\n", db, dest, v)
	fmt.Fprintln(e.stdout, "The secret key is not in the backup: keep the key file (or USERSYNC_SECRET_KEY) with it, or its bind passwords cannot be opened.")
	return nil
}

// runRestore replaces a new or empty SQLite store by a backup, after
// checking the backup's integrity and schema version.
func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags("restore", e.stderr)
	force := fs.Bool("force", false, "replace a store that already holds data")
	pos, err := fs.parse(args, 1, "the backup FILE to restore")
	if err != nil {
		return err
	}
	src, db := pos[0], fs.dbPath()
	if isPostgresURL(db) {
		return fmt.Errorf("%w: restore writes a SQLite store; to fill PostgreSQL from a SQLite backup use `usersync store copy --db %s --to URL`", errUsage, src)
	}
	if abs(src) == abs(db) {
		return fmt.Errorf("%w: the backup %s is the store itself", errUsage, src)
	}
	if err := sqlite.Restore(ctx, src, db, *force); err != nil {
		if errors.Is(err, sqlite.ErrNotEmpty) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s into %s; start usersync with the secret key the backup was made with\n", src, db)
	return nil
}

// refuseExisting is a usage error when path exists and force is false, so
// that a backup never overwrites a file by accident.
func refuseExisting(path string, force bool) error {
	if _, err := os.Stat(path); err == nil && !force {
		return fmt.Errorf("%w: %s exists; give --force to replace it", errUsage, path)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
