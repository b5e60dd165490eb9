package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
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
		return wrap(err, "apply")
	}
	defer tx.Rollback()
	t := now()
	if err := setEventRun(ctx, tx, b.RunID); err != nil {
		return err
	}
	// Users leave before others arrive: a userId is free for a create or
	// an activation in the same batch once its holder was retired,
	// deleted or deactivated.
	if err := applyRetire(ctx, tx, b, t); err != nil {
		return err
	}
	if err := applyDeletes(ctx, tx, b, t); err != nil {
		return err
	}
	if err := applyDeactivations(ctx, tx, b, t); err != nil {
		return err
	}
	if err := applyUpdates(ctx, tx, b, t); err != nil {
		return err
	}
	if err := applyCreates(ctx, tx, b, t); err != nil {
		return err
	}
	if err := insertOutcomes(ctx, tx, b.RunID, b.Outcomes); err != nil {
		return err
	}
	if b.Token != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET change_token = ? WHERE name = ?`, *b.Token, b.Connection); err != nil {
			return wrap(err, "save change token")
		}
	}
	if err := setEventRun(ctx, tx, 0); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return wrap(err, "apply: commit")
	}
	return nil
}

// applyRetire runs before applyCreates: a retired user frees its external id
// for the user created in its place in the same batch.
func applyRetire(ctx context.Context, tx *sql.Tx, b store.Batch, t string) error {
	if len(b.Retire) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE users SET external_id = ?, status = 'inactive', updated_at = ?, id_clash = 0,
		deactivated_at = COALESCE(deactivated_at, ?) WHERE id = ? AND source = 'directory'`)
	if err != nil {
		return wrap(err, "apply")
	}
	defer stmt.Close()
	for _, r := range b.Retire {
		if _, err := stmt.ExecContext(ctx, r.ExternalID, t, t, r.ID); err != nil {
			return wrap(err, "retire user %d", r.ID)
		}
	}
	return nil
}

// applyCreates inserts the batch's new users, then the memberships they
// are given. Each new user gets its row id here, one more than the largest
// so far, which is the id SQLite itself would choose: the write lock is
// held since the transaction began, so no other writer can take it, and the
// memberships need no query to learn the ids.
func applyCreates(ctx context.Context, tx *sql.Tx, b store.Batch, t string) error {
	if len(b.Creates) == 0 {
		return nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM users`).Scan(&last); err != nil {
		return wrap(err, "apply: new row ids")
	}
	var fields []byte // reused: each row's JSON is copied into its string
	err := insertRows(ctx, tx, `INSERT INTO users(id, connection, external_id, user_id, user_key, status, source, fields, hash, super_user, created_at, updated_at) VALUES `,
		`(?, ?, ?, ?, ?, ?, 'directory', ?, ?, ?, ?, ?)`, len(b.Creates), func(i int, args []any) ([]any, error) {
			u := b.Creates[i]
			var err error
			fields, err = appendFieldsJSON(fields[:0], u.Fields)
			if err != nil {
				return nil, wrap(err, "create user %q", u.UserID)
			}
			return append(args, last+1+int64(i), b.Connection, u.ExternalID, u.UserID, store.UserIDKey(u.UserID), u.Status, string(fields), int64(u.Hash),
				u.SuperUser, t, t), nil
		})
	if err != nil {
		return err
	}
	var ms []store.Membership
	for i, u := range b.Creates {
		// The rows were inserted in order, from last+1 on.
		for _, m := range u.Memberships {
			m.UserRowID = last + 1 + int64(i)
			ms = append(ms, m)
		}
	}
	return insertMemberships(ctx, tx, ms, t)
}

// insertMemberships adds memberships with multi-row INSERTs; one that
// exists is kept as is.
func insertMemberships(ctx context.Context, tx *sql.Tx, ms []store.Membership, t string) error {
	return insertRows(ctx, tx, `INSERT OR IGNORE INTO memberships(user_row_id, entity_id, source, created_at) VALUES `, `(?, ?, ?, ?)`,
		len(ms), func(i int, args []any) ([]any, error) {
			m := ms[i]
			return append(args, m.UserRowID, m.EntityID, m.Source, t), nil
		})
}

// rowsPerInsert is how many rows one INSERT statement carries. One
// statement per row made database/sql's and the driver's per-call overhead
// (argument conversion, locking) as costly as SQLite's own work; 64 rows of
// at most 12 columns stay far below SQLite's limit of 32,766 parameters.
const rowsPerInsert = 64

// insertRows inserts n rows with multi-row INSERT statements, prepared once
// per transaction: head is "INSERT INTO t(cols) VALUES ", tuple one row's
// placeholders, and args appends row i's values.
func insertRows(ctx context.Context, tx *sql.Tx, head, tuple string, n int, args func(i int, dst []any) ([]any, error)) error {
	var full *sql.Stmt
	buf := make([]any, 0, rowsPerInsert*12)
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
				return wrap(err, "apply")
			}
			defer s.Close()
			stmt = s
			if end-start == rowsPerInsert {
				full = s
			}
		}
		if _, err := stmt.ExecContext(ctx, buf...); err != nil {
			return wrap(err, "insert rows %d-%d", start, end-1)
		}
	}
	return nil
}

func applyUpdates(ctx context.Context, tx *sql.Tx, b store.Batch, t string) error {
	if len(b.Updates) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE users SET user_id = ?, user_key = ?, status = ?, fields = ?, hash = ?, updated_at = ?,
		deactivated_at = CASE WHEN ? = 'inactive' THEN COALESCE(deactivated_at, ?) ELSE NULL END,
		id_clash = CASE WHEN ? = 'active' AND ? = user_key THEN id_clash ELSE 0 END
		WHERE id = ? AND source = 'directory'`)
	if err != nil {
		return wrap(err, "apply")
	}
	defer stmt.Close()
	var fields []byte
	for _, u := range b.UpdatesLeavingFirst() {
		fields, err = appendFieldsJSON(fields[:0], u.Fields)
		if err != nil {
			return wrap(err, "update user %q", u.UserID)
		}
		key := store.UserIDKey(u.UserID)
		if _, err := stmt.ExecContext(ctx, u.UserID, key, u.Status, string(fields), int64(u.Hash), t, u.Status, t, u.Status, key, u.ID); err != nil {
			return wrap(err, "update user %q", u.UserID)
		}
	}
	return nil
}

func insertOutcomes(ctx context.Context, tx *sql.Tx, runID int64, outs []store.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	return insertRows(ctx, tx, `INSERT INTO run_outcomes(run_id, user_row_id, external_id, user_id, action, reason, changes, warnings) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?)`, len(outs), func(i int, args []any) ([]any, error) {
			o := outs[i]
			var changes, warnings string
			if len(o.Changes) > 0 {
				c, err := json.Marshal(store.RedactChanges(o.Changes))
				if err != nil {
					return nil, wrap(err, "outcome for %q", o.UserID)
				}
				changes = string(c)
			}
			if len(o.Warnings) > 0 {
				w, err := json.Marshal(o.Warnings)
				if err != nil {
					return nil, wrap(err, "outcome for %q", o.UserID)
				}
				warnings = string(w)
			}
			return append(args, runID, o.UserRowID, o.ExternalID, o.UserID, o.Action, o.Reason, changes, warnings), nil
		})
}

// applyDeactivations sets users inactive, remembering since when, and
// removes the fields the mappings clear when a user leaves.
func applyDeactivations(ctx context.Context, tx *sql.Tx, b store.Batch, t string) error {
	if len(b.Deactivate) == 0 {
		return nil
	}
	q := `UPDATE users SET status = 'inactive', updated_at = ?, deactivated_at = COALESCE(deactivated_at, ?), id_clash = 0`
	args := []any{t, t}
	if len(b.ClearOnDeactivate) > 0 {
		q += `, fields = json_remove(fields` + strings.Repeat(", ?", len(b.ClearOnDeactivate)) + `)`
		for _, f := range b.ClearOnDeactivate {
			args = append(args, jsonPath(f))
		}
	}
	stmt, err := tx.PrepareContext(ctx, q+` WHERE id = ? AND source = 'directory'`)
	if err != nil {
		return wrap(err, "apply")
	}
	defer stmt.Close()
	for _, id := range b.Deactivate {
		if _, err := stmt.ExecContext(ctx, append(args, id)...); err != nil {
			return wrap(err, "deactivate user %d", id)
		}
	}
	return nil
}

func applyDeletes(ctx context.Context, tx *sql.Tx, b store.Batch, t string) error {
	if len(b.Delete) == 0 {
		return nil
	}
	keep, err := tx.PrepareContext(ctx, keepDeletedSQL)
	if err != nil {
		return wrap(err, "apply")
	}
	defer keep.Close()
	stmt, err := tx.PrepareContext(ctx, `DELETE FROM users WHERE id = ? AND source = 'directory'`)
	if err != nil {
		return wrap(err, "apply")
	}
	defer stmt.Close()
	for _, id := range b.Delete {
		if _, err := keep.ExecContext(ctx, b.RunID, t, id); err != nil {
			return wrap(err, "keep deleted user %d", id)
		}
		if _, err := stmt.ExecContext(ctx, id); err != nil {
			return wrap(err, "delete user %d", id)
		}
	}
	return nil
}

// jsonPath is the SQLite JSON path of a top-level key, quoted so that any
// field name works.
func jsonPath(field string) string {
	return `$."` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(field) + `"`
}
