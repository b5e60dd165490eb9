package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// Apply writes a batch in one transaction: created users and outcomes go
// through COPY, updates, deactivations and deletes are one statement each
// over array parameters, so that a batch costs a handful of round trips
// whatever its size.
func (s *Store) Apply(ctx context.Context, b store.Batch) error {
	if b.Empty() {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var t time.Time
		// One round trip reads the time and names the run for the event
		// triggers.
		if err := tx.QueryRow(ctx, `SELECT now(), set_config('usersync.run_id', $1, true)`, strconv.FormatInt(b.RunID, 10)).Scan(&t, new(string)); err != nil {
			return err
		}
		for _, fn := range []func(context.Context, pgx.Tx, store.Batch, time.Time) error{
			// Users leave before others arrive: a userId is free for a
			// create or an activation in the same batch once its holder
			// was retired, deleted or deactivated.
			applyRetire, applyDeletes, applyDeactivations, applyUpdates, applyCreates,
		} {
			if err := fn(ctx, tx, b, t); err != nil {
				return err
			}
		}
		if err := insertOutcomes(ctx, tx, b.RunID, b.Outcomes); err != nil {
			return err
		}
		if b.Token != nil {
			if _, err := tx.Exec(ctx, `UPDATE connections SET change_token = $1 WHERE name = $2`, *b.Token, b.Connection); err != nil {
				return step(err, "save change token")
			}
		}
		return nil
	})
	if err != nil {
		return wrap(err, "apply")
	}
	return nil
}

// applyRetire runs before applyCreates: a retired user frees its external id
// for the user created in its place in the same batch.
func applyRetire(ctx context.Context, tx pgx.Tx, b store.Batch, t time.Time) error {
	if len(b.Retire) == 0 {
		return nil
	}
	ids, exts := make([]int64, len(b.Retire)), make([]string, len(b.Retire))
	for i, r := range b.Retire {
		ids[i], exts[i] = r.ID, r.ExternalID
	}
	_, err := tx.Exec(ctx, `UPDATE users u SET external_id = v.ext, status = 'inactive', updated_at = $3, id_clash = 0,
		deactivated_at = COALESCE(u.deactivated_at, $3)
		FROM unnest($1::bigint[], $2::text[]) AS v(id, ext) WHERE u.id = v.id AND u.source = 'directory'`, ids, exts, t)
	return step(err, "retire users")
}

// applyCreates copies the batch's new users, then adds the memberships
// they are given in one statement that finds each user by its link.
func applyCreates(ctx context.Context, tx pgx.Tx, b store.Batch, t time.Time) error {
	if len(b.Creates) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"connection", "external_id", "user_id", "user_key", "status", "source", "fields", "hash", "super_user", "created_at", "updated_at"},
		pgx.CopyFromSlice(len(b.Creates), func(i int) ([]any, error) {
			u := b.Creates[i]
			fields, err := json.Marshal(nonNil(u.Fields))
			if err != nil {
				return nil, fmt.Errorf("create user %q: %w", u.UserID, err)
			}
			return []any{b.Connection, u.ExternalID, u.UserID, store.UserIDKey(u.UserID), u.Status, store.SourceDirectory, fields, int64(u.Hash),
				u.SuperUser, t, t}, nil
		}))
	if err != nil {
		return step(err, "create users")
	}
	var exts, sources []string
	var ents []int64
	for _, u := range b.Creates {
		for _, m := range u.Memberships {
			exts, ents, sources = append(exts, u.ExternalID), append(ents, m.EntityID), append(sources, m.Source)
		}
	}
	if len(exts) == 0 {
		return nil
	}
	// Each user is found by a correlated lookup on the (connection,
	// external_id) key rather than a join: a pooled connection may plan this
	// statement while the users table is still empty (a first sync), and a
	// join planned then scans the whole table for every batch.
	_, err = tx.Exec(ctx, createdMembershipsSQL, exts, ents, sources, b.Connection)
	return step(err, "add the new users' memberships")
}

// createdMembershipsSQL adds memberships of new users named by external id
// ($1), entity ($2) and source ($3) in connection $4.
const createdMembershipsSQL = `INSERT INTO memberships(user_row_id, entity_id, source)
	SELECT r.id, r.e, r.s FROM (
		SELECT (SELECT u.id FROM users u WHERE u.connection = $4 AND u.external_id = v.ext AND u.source = 'directory') AS id, v.e, v.s, v.n
		FROM unnest($1::text[], $2::bigint[], $3::text[]) WITH ORDINALITY AS v(ext, e, s, n)) r
	WHERE r.id IS NOT NULL
	ORDER BY r.n ON CONFLICT DO NOTHING`

// applyUpdates updates users in two statements, those made inactive first,
// because a unique index is checked row by row: an activation may take a
// userId a deactivation in the same batch frees.
func applyUpdates(ctx context.Context, tx pgx.Tx, b store.Batch, t time.Time) error {
	all := b.UpdatesLeavingFirst()
	split := 0
	for split < len(all) && all[split].Status != store.StatusActive {
		split++
	}
	if err := updateUsers(ctx, tx, all[:split], t); err != nil {
		return err
	}
	return updateUsers(ctx, tx, all[split:], t)
}

func updateUsers(ctx context.Context, tx pgx.Tx, us []store.User, t time.Time) error {
	n := len(us)
	if n == 0 {
		return nil
	}
	ids, hashes := make([]int64, n), make([]int64, n)
	userIDs, keys, statuses, fields := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, u := range us {
		f, err := json.Marshal(nonNil(u.Fields))
		if err != nil {
			return fmt.Errorf("update user %q: %w", u.UserID, err)
		}
		ids[i], hashes[i], userIDs[i], statuses[i], fields[i] = u.ID, int64(u.Hash), u.UserID, u.Status, string(f)
		keys[i] = store.UserIDKey(u.UserID)
	}
	_, err := tx.Exec(ctx, `UPDATE users u SET user_id = v.user_id, user_key = v.user_key, status = v.status, fields = v.fields::jsonb, hash = v.hash, updated_at = $6,
		deactivated_at = CASE WHEN v.status = 'inactive' THEN COALESCE(u.deactivated_at, $6) ELSE NULL END,
		id_clash = CASE WHEN v.status = 'active' AND v.user_key = u.user_key THEN u.id_clash ELSE 0 END
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $7::text[]) AS v(id, user_id, status, fields, hash, user_key)
		WHERE u.id = v.id AND u.source = 'directory'`, ids, userIDs, statuses, fields, hashes, t, keys)
	return step(err, "update users")
}

// applyDeactivations sets users inactive, remembering since when, and
// removes the fields the mappings clear when a user leaves.
func applyDeactivations(ctx context.Context, tx pgx.Tx, b store.Batch, t time.Time) error {
	if len(b.Deactivate) == 0 {
		return nil
	}
	clear := b.ClearOnDeactivate
	if clear == nil {
		clear = []string{}
	}
	_, err := tx.Exec(ctx, `UPDATE users SET status = 'inactive', updated_at = $2, deactivated_at = COALESCE(deactivated_at, $2), id_clash = 0,
		fields = fields - $3::text[] WHERE id = ANY($1) AND source = 'directory'`, b.Deactivate, t, clear)
	return step(err, "deactivate users")
}

func applyDeletes(ctx context.Context, tx pgx.Tx, b store.Batch, t time.Time) error {
	if len(b.Delete) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, keepDeletedSQL, b.RunID, t, b.Delete); err != nil {
		return step(err, "keep deleted users")
	}
	_, err := tx.Exec(ctx, `DELETE FROM users WHERE id = ANY($1) AND source = 'directory'`, b.Delete)
	return step(err, "delete users")
}

// insertOutcomes copies a batch's outcomes; secret fields are redacted
// before they reach the history, so that secrets stay sealed.
func insertOutcomes(ctx context.Context, tx pgx.Tx, runID int64, outs []store.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"run_outcomes"},
		[]string{"run_id", "user_row_id", "external_id", "user_id", "action", "reason", "changes", "warnings"},
		pgx.CopyFromSlice(len(outs), func(i int) ([]any, error) {
			o := outs[i]
			var changes, warnings []byte
			var err error
			if len(o.Changes) > 0 {
				if changes, err = json.Marshal(store.RedactChanges(o.Changes)); err != nil {
					return nil, fmt.Errorf("outcome for %q: %w", o.UserID, err)
				}
			}
			if len(o.Warnings) > 0 {
				if warnings, err = json.Marshal(o.Warnings); err != nil {
					return nil, fmt.Errorf("outcome for %q: %w", o.UserID, err)
				}
			}
			return []any{runID, o.UserRowID, o.ExternalID, o.UserID, o.Action, o.Reason, changes, warnings}, nil
		}))
	return step(err, "insert outcomes")
}

// decodeOutcomeJSON fills an outcome's changes and warnings from their
// nullable JSONB columns.
func decodeOutcomeJSON(o *store.Outcome, changes, warnings []byte) error {
	if len(changes) > 0 {
		if err := json.Unmarshal(changes, &o.Changes); err != nil {
			return fmt.Errorf("postgres: outcome changes: %w", err)
		}
	}
	if len(warnings) > 0 {
		if err := json.Unmarshal(warnings, &o.Warnings); err != nil {
			return fmt.Errorf("postgres: outcome warnings: %w", err)
		}
	}
	return nil
}

// step names the part of a transaction that failed; the caller wraps the
// whole with wrap.
func step(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
