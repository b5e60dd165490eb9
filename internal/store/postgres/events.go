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

// setEventRun tells the event triggers which run tx writes for, through a
// setting local to the transaction: concurrent transactions each see
// their own.
func setEventRun(ctx context.Context, tx pgx.Tx, runID int64) error {
	_, err := tx.Exec(ctx, `SELECT set_config('usersync.run_id', $1, true)`, strconv.FormatInt(runID, 10))
	return step(err, "set the run of events")
}

// ListEvents returns up to limit events after seq after, in order. The
// triggers draw sequence numbers under one lock held to commit, so no
// event with a lower number can commit after this read.
func (s *Store) ListEvents(ctx context.Context, after int64, limit int) ([]store.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	if err := s.checkPruned(ctx, after); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, kind, at, run_id, connection, user_row_id, external_id, user_id, status, source,
		super_user, fields, changed, entity_kind, entity_name, member_source FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, wrap(err, "list events")
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var ext, uid, status, source, kind, name, msource *string
		var super *bool
		var fields []byte
		var changed []string
		if err := rows.Scan(&e.Seq, &e.Kind, &e.At, &e.RunID, &e.Connection, &e.UserRowID, &ext, &uid, &status, &source,
			&super, &fields, &changed, &kind, &name, &msource); err != nil {
			return nil, wrap(err, "list events")
		}
		if kind != nil {
			e.Membership = &store.Membership{UserRowID: e.UserRowID, Kind: *kind, Name: deref(name), Source: deref(msource)}
		} else {
			u := store.User{ID: e.UserRowID, Connection: e.Connection, ExternalID: deref(ext), UserID: deref(uid),
				Status: deref(status), Source: deref(source), SuperUser: super != nil && *super}
			if err := json.Unmarshal(fields, &u.Fields); err != nil {
				return nil, fmt.Errorf("postgres: event %d fields: %w", e.Seq, err)
			}
			e.User = &u
			if len(changed) > 0 {
				e.Changed = changed
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "list events")
	}
	// A prune between the check above and the read would have removed
	// events the reader never saw: check again now that the read is done.
	if err := s.checkPruned(ctx, after); err != nil {
		return nil, err
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Store) checkPruned(ctx context.Context, after int64) error {
	var through int64
	if err := s.pool.QueryRow(ctx, `SELECT pruned_through FROM event_state WHERE id = 1`).Scan(&through); err != nil {
		return wrap(err, "read the pruned events")
	}
	if after < through {
		return fmt.Errorf("postgres: events up to %d are pruned, asked for those after %d: %w", through, after, store.ErrEventsPruned)
	}
	return nil
}

// LastEventSeq returns the highest committed sequence number, including
// pruned ones.
func (s *Store) LastEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT GREATEST(COALESCE((SELECT max(seq) FROM events), 0), pruned_through) FROM event_state WHERE id = 1`).Scan(&seq)
	if err != nil {
		return 0, wrap(err, "last event")
	}
	return seq, nil
}

// PruneEvents deletes the events before cutoff. It deletes by sequence
// number up to the newest event older than cutoff: a transaction's events
// carry its start time, so times alone need not follow sequence order,
// and what stays must be a suffix of the feed.
func (s *Store) PruneEvents(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var through *int64
		if err := tx.QueryRow(ctx, `SELECT max(seq) FROM events WHERE at < $1`, cutoff).Scan(&through); err != nil {
			return err
		}
		if through == nil {
			return nil
		}
		tag, err := tx.Exec(ctx, `DELETE FROM events WHERE seq <= $1`, *through)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `UPDATE event_state SET pruned_through = GREATEST(pruned_through, $1) WHERE id = 1`, *through)
		return err
	})
	if err != nil {
		return 0, wrap(err, "prune events")
	}
	return int(n), nil
}
