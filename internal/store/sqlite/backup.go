package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotEmpty is returned by Restore when the target store already holds
// data and force was not given.
var ErrNotEmpty = errors.New("the target store is not empty")

// Backup writes a consistent copy of the whole database to dest with
// VACUUM INTO: it reads one snapshot inside a read transaction, so writers
// in this or other processes (a running serve with live mode) go on
// meanwhile, and the copy holds every committed transaction up to its start,
// including those still in the write-ahead log. The copy is written to a
// temporary file beside dest, made readable by its owner only (it holds
// password, session and token hashes), synced and then renamed, so dest is
// either the old file or a complete backup.
func (s *Store) Backup(ctx context.Context, dest string) error {
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)
	// VACUUM INTO writes into an existing file only when it is empty, which
	// the temporary file is; creating it first gives it mode 0600.
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return wrap(err, "backup to %s", dest)
	}
	f, err := os.Open(tmpName)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return fmt.Errorf("sqlite: backup: sync %s: %w", tmpName, err)
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}

// Verify checks that the file at path is a usersync SQLite store this
// binary can use: SQLite's integrity check passes and its schema version
// is not newer than the newest this binary knows. It opens the file read
// only and changes nothing. It returns the schema version.
func Verify(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("sqlite: verify: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+uriPath.Replace(path)+"?mode=ro&"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return 0, wrap(err, "verify %s", path)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, wrap(err, "verify %s: not a SQLite database", path)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return 0, wrap(err, "verify %s", path)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, wrap(err, "verify %s", path)
	}
	if err := rows.Err(); err != nil {
		return 0, wrap(err, "verify %s: not a SQLite database", path)
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("sqlite: verify %s: the integrity check failed: %s", path, strings.Join(problems, "; "))
	}
	var version int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("sqlite: verify %s: not a usersync store (no schema version): %w", path, err)
	}
	if latest := LatestVersion(); version > latest {
		return 0, fmt.Errorf("verify %s: %w", path, schemaTooNew(version, latest))
	}
	return version, nil
}

// Restore replaces the store at dest by the backup at src, after Verify
// passed on src. dest must not exist, be empty, or hold no rows besides
// its schema version, unless force is given. No process may have dest open
// meanwhile (stop serve first): its write-ahead log would not match the
// restored file. The copy goes to a temporary file that is renamed over
// dest, and dest's old -wal and -shm files are removed, so dest is either
// the old store or the backup.
func Restore(ctx context.Context, src, dest string, force bool) error {
	if _, err := Verify(ctx, src); err != nil {
		return err
	}
	if !force {
		n, err := rowsIn(ctx, dest)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("sqlite: restore into %s: %w (%d rows); restore into a new file, or give --force to replace it", dest, ErrNotEmpty, n)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	// The backup is a self-contained database file (VACUUM INTO leaves no
	// log), so a byte copy of it is the database; the source is opened
	// read-only by Verify and never written.
	in, err := os.Open(src)
	if err != nil {
		tmp.Close()
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	_, err = tmp.ReadFrom(in)
	in.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sqlite: restore: copy %s: %w", src, err)
	}
	for _, p := range []string{dest + "-wal", dest + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqlite: restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	// Opening migrates a backup made by an older usersync forward.
	s, err := Open(ctx, dest)
	if err != nil {
		return err
	}
	return s.Close()
}

// rowsIn counts the rows of every table of the database at path but the
// schema version's; a missing or empty file has none.
func rowsIn(ctx context.Context, path string) (int64, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && fi.Size() == 0 {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: restore: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+uriPath.Replace(path)+"?mode=ro&"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return 0, wrap(err, "restore: open %s", path)
	}
	defer db.Close()
	tables, err := tableNames(ctx, db)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, t := range tables {
		if t == "schema_migrations" {
			continue
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&n); err != nil {
			return 0, wrap(err, "restore: count %s", t)
		}
		total += n
	}
	return total, nil
}

// tableNames lists the database's own tables, as SQLite's schema table
// names them, without SQLite's internal ones.
func tableNames(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, wrap(err, "list tables")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, wrap(err, "list tables")
		}
		out = append(out, n)
	}
	return out, wrap(rows.Err(), "list tables")
}
