// Package sqlite is the embedded store: SQLite through modernc.org/sqlite, a
// pure-Go driver, so that usersync stays one static binary without cgo.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/usersync/usersync/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite implementation of store.Store.
type Store struct {
	db    *sql.DB
	stmts stmtCache
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, math.MaxInt)
}

// open opens the database at path and applies the migrations up to version
// upTo.
func open(ctx context.Context, path string, upTo int) (*Store, error) {
	q := url.Values{}
	// WAL lets the reconciler read while a batch is being written; NORMAL
	// synchronous is durable across process crashes, which is what a sync
	// needs (the directory stays the source of truth for a power loss).
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	if err := restrictFiles(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+uriPath.Replace(path)+"?"+q.Encode())
	if err != nil {
		return nil, wrap(err, "open %s", path)
	}
	db.SetMaxOpenConns(4)
	// Keep every connection open: one closed and opened again loses its
	// page cache and prepared statements.
	db.SetMaxIdleConns(4)
	s := &Store{db: db}
	if err := s.migrate(ctx, upTo); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// uriPath escapes the characters that a SQLite URI filename would read as
// an escape, the start of the query or a fragment, so that the store is the
// file the path names ("100%.db", "what?.db") and not another one.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// restrictFiles makes the database readable by its owner only: it holds
// password hashes, session and token hashes and personal data. SQLite gives
// the -wal and -shm files the database file's permissions, so creating the
// database 0600 before SQLite opens it covers all three; files left
// readable by an older version are tightened.
func restrictFiles(path string) error {
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("sqlite: restrict %s to its owner: %w", p, err)
			}
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrate applies the missing migrations up to version upTo.
func (s *Store) migrate(ctx context.Context, upTo int) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return wrap(err, "migrate")
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return wrap(err, "migrate")
	}
	sort.Strings(names)
	if err := s.refuseNewer(ctx, names); err != nil {
		return err
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return wrap(err, "migration %s: bad version", base)
		}
		if version > upTo {
			break
		}
		if err := s.applyMigration(ctx, version, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, version int, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, "migrate")
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return wrap(err, "migrate")
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return wrap(err, "migrate")
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return wrap(err, "migration %s", name)
	}
	if step := goSteps[version]; step != nil {
		if err := step(ctx, tx); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`, version, now()); err != nil {
		return wrap(err, "migrate")
	}
	return tx.Commit()
}

// timeFormat keeps timestamps sortable as text.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

func now() string { return time.Now().UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}
