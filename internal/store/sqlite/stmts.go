package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the statements of the hottest queries (a SCIM
// request's token check, connection read and resource read and write)
// prepared: parsing a statement again on every call cost SQLite more than
// running it.
// database/sql prepares a statement again on each pooled connection it
// runs on, and SQLite prepares it again after a schema change.
type stmtCache struct {
	m sync.Map // query → *sql.Stmt
}

// stmt returns the prepared statement of q, preparing it the first time.
func (s *Store) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts.m.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.m.LoadOrStore(q, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// execStmt runs q as a prepared statement.
func (s *Store) execStmt(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRowStmt runs q as a prepared statement and returns its first row.
func (s *Store) queryRowStmt(ctx context.Context, q string, args ...any) scanner {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a row whose statement could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
