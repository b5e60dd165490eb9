package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// Apply writes a batch in one transaction with prepared statements: this is
// the hot path of a full sync, where one transaction per user would make
// SQLite, not the directory, the bottleneck.
func (s *Store) Apply(ctx context.Context, b store.Batch) error {
	if b.Empty() {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	defer tx.Rollback()
	t := now()
	if err := applyCreates(ctx, tx, b, t); err != nil {
		return err
	}
	if err := applyUpdates(ctx, tx, b, t); err != nil {
		return err
	}
	if len(b.Deactivate) > 0 {
		stmt, err := tx.PrepareContext(ctx, `UPDATE users SET status = 'inactive', updated_at = ? WHERE id = ? AND source = 'directory'`)
		if err != nil {
			return fmt.Errorf("sqlite: apply: %w", err)
		}
		defer stmt.Close()
		for _, id := range b.Deactivate {
			if _, err := stmt.ExecContext(ctx, t, id); err != nil {
				return fmt.Errorf("sqlite: deactivate user %d: %w", id, err)
			}
		}
	}
	if err := insertOutcomes(ctx, tx, b.RunID, b.Outcomes); err != nil {
		return err
	}
	if b.Token != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET change_token = ? WHERE name = ?`, *b.Token, b.Connection); err != nil {
			return fmt.Errorf("sqlite: save change token: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: apply: commit: %w", err)
	}
	return nil
}

func applyCreates(ctx context.Context, tx *sql.Tx, b store.Batch, t string) error {
	if len(b.Creates) == 0 {
		return nil
	}
	return insertRows(ctx, tx, `INSERT INTO users(connection, external_id, user_id, status, source, fields, hash, created_at, updated_at) VALUES `,
		`(?, ?, ?, ?, 'directory', ?, ?, ?, ?)`, len(b.Creates), func(i int, args []any) ([]any, error) {
			u := b.Creates[i]
			fields, err := json.Marshal(nonNil(u.Fields))
			if err != nil {
				return nil, fmt.Errorf("sqlite: create user %q: %w", u.UserID, err)
			}
			return append(args, b.Connection, u.ExternalID, u.UserID, u.Status, string(fields), int64(u.Hash), t, t), nil
		})
}

// rowsPerInsert is how many rows one INSERT statement carries. One
// statement per row made database/sql's and the driver's per-call overhead
// (argument conversion, locking) as costly as SQLite's own work; 64 rows of
// at most 9 columns stay far below SQLite's limit of 32,766 parameters.
const rowsPerInsert = 64

// insertRows inserts n rows with multi-row INSERT statements, prepared once
// per transaction: head is "INSERT INTO t(cols) VALUES ", tuple one row's
// placeholders, and args appends row i's values.
func insertRows(ctx context.Context, tx *sql.Tx, head, tuple string, n int, args func(i int, dst []any) ([]any, error)) error {
	var full *sql.Stmt
	buf := make([]any, 0, rowsPerInsert*9)
	for start := 0; start < n; start += rowsPerInsert {
		end := min(start+rowsPerInsert, n)
		buf = buf[:0]
		for i := start; i < end; i++ {
			var err error
			if buf, err = args(i, buf); err != nil {
				return err
			}
		}
		stmt := full
		if end-start < rowsPerInsert || full == nil {
			q := head + tuple + strings.Repeat(", "+tuple, end-start-1)
			s, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return fmt.Errorf("sqlite: apply: %w", err)
			}
			defer s.Close()
			stmt = s
			if end-start == rowsPerInsert {
				full = s
			}
		}
		if _, err := stmt.ExecContext(ctx, buf...); err != nil {
			return fmt.Errorf("sqlite: insert rows %d-%d: %w", start, end-1, err)
		}
	}
	return nil
}

func applyUpdates(ctx context.Context, tx *sql.Tx, b store.Batch, t string) error {
	if len(b.Updates) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE users SET user_id = ?, status = ?, fields = ?, hash = ?, updated_at = ? WHERE id = ? AND source = 'directory'`)
	if err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	defer stmt.Close()
	for _, u := range b.Updates {
		fields, err := json.Marshal(nonNil(u.Fields))
		if err != nil {
			return fmt.Errorf("sqlite: update user %q: %w", u.UserID, err)
		}
		if _, err := stmt.ExecContext(ctx, u.UserID, u.Status, string(fields), int64(u.Hash), t, u.ID); err != nil {
			return fmt.Errorf("sqlite: update user %q: %w", u.UserID, err)
		}
	}
	return nil
}

func insertOutcomes(ctx context.Context, tx *sql.Tx, runID int64, outs []store.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	return insertRows(ctx, tx, `INSERT INTO run_outcomes(run_id, user_row_id, external_id, user_id, action, reason, changes) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?)`, len(outs), func(i int, args []any) ([]any, error) {
			o := outs[i]
			var changes string
			if len(o.Changes) > 0 {
				c, err := json.Marshal(o.Changes)
				if err != nil {
					return nil, fmt.Errorf("sqlite: outcome for %q: %w", o.UserID, err)
				}
				changes = string(c)
			}
			return append(args, runID, o.UserRowID, o.ExternalID, o.UserID, o.Action, o.Reason, changes), nil
		})
}
