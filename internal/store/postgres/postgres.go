// Package postgres is the shared store: PostgreSQL through pgx (pgxpool,
// without database/sql), for several usersync instances working on the same
// connections. It passes the same conformance suite (package storetest) as
// the embedded SQLite store.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/usersync/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres:// or postgresql://) and
// brings its schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	return open(ctx, url, math.MaxInt)
}

// open connects to the database at url and applies the migrations up to
// version upTo.
func open(ctx context.Context, url string, upTo int) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx, upTo); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes every pooled connection.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// migrationLock is the pg_advisory_xact_lock key that serialises schema
// migrations: "usersync" in ASCII.
const migrationLock int64 = 0x7573657273796e63

type migration struct {
	version int
	name    string
}

func migrationList() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: bad version: %w", base, err)
		}
		out = append(out, migration{v, name})
	}
	return out, nil
}

// migrate applies the missing migrations in one transaction that holds an
// advisory lock: instances starting at once wait for each other, and the
// second one finds the schema already current.
func (s *Store) migrate(ctx context.Context, upTo int) error {
	list, err := migrationList()
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[int(v)] = true
	}
	if err := refuseNewer(applied, list); err != nil {
		return err
	}
	for _, m := range list {
		if done[m.version] || m.version > upTo {
			continue
		}
		body, err := migrations.ReadFile(m.name)
		if err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		// Without arguments pgx uses the simple protocol, which runs a
		// file of several statements.
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		if step := goSteps[m.version]; step != nil {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version, name) VALUES ($1, $2)`, m.version, strings.TrimPrefix(m.name, "migrations/")); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: commit: %w", err)
	}
	return nil
}

// SQLSTATE codes mapped to store errors.
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	lockNotAvailable     = "55P03"
)

// wrap prefixes err with "postgres: " and what was being done, mapping
// pgx.ErrNoRows to store.ErrNotFound, unique violations to store.ErrConflict
// and lock conflicts to store.ErrBusy by SQLSTATE, so that callers can test them with errors.Is.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", what, store.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case uniqueViolation:
			return fmt.Errorf("postgres: %s: %w: %w", what, store.ErrConflict, err)
		case serializationFailure, deadlockDetected, lockNotAvailable:
			return fmt.Errorf("postgres: %s: %w: %w", what, store.ErrBusy, err)
		}
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// notFound is store.ErrNotFound for a write that matched no row.
func notFound(format string, args ...any) error {
	return fmt.Errorf("postgres: %s: %w", fmt.Sprintf(format, args...), store.ErrNotFound)
}

func isCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// nullLimit turns a non-positive limit into NULL, which is no limit.
func nullLimit(n int) any {
	if n <= 0 {
		return nil
	}
	return n
}
