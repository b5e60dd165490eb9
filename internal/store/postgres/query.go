package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// queryAll runs a query and scans every row with scan (pgx.CollectRows
// does the iteration); what names the operation in errors ("list runs").
func queryAll[T any](ctx context.Context, s *Store, what string, scan func(pgx.Row) (T, error), q string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	return out, nil
}
