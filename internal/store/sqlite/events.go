package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// eventTimeFormat is how the triggers stamp events (strftime's %f gives
// milliseconds); it sorts as text like timeFormat.
const eventTimeFormat = "2006-01-02T15:04:05.000Z"

// setEventRun tells the event triggers which run the rest of tx writes for;
// Apply resets it to 0 before it commits, so that an operator's change
// made later is never attributed to a run. SQLite has one writer at a
// time, so the single row is never shared by two open transactions.
func setEventRun(ctx context.Context, tx *sql.Tx, runID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE event_state SET run_id = ? WHERE id = 1`, runID); err != nil {
		return wrap(err, "set the run of events")
	}
	return nil
}

// ListEvents returns up to limit events after seq after, in order.
func (s *Store) ListEvents(ctx context.Context, after int64, limit int) ([]store.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	if err := s.checkPruned(ctx, after); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT seq, kind, at, run_id, connection, user_row_id, external_id, user_id, status, source,
		super_user, fields, changed, entity_kind, entity_name, member_source FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, wrap(err, "list events")
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var at string
		var ext, uid, status, source, fields, kind, name, msource sql.NullString
		var super sql.NullBool
		var changed sql.NullString
		if err := rows.Scan(&e.Seq, &e.Kind, &at, &e.RunID, &e.Connection, &e.UserRowID, &ext, &uid, &status, &source,
			&super, &fields, &changed, &kind, &name, &msource); err != nil {
			return nil, wrap(err, "list events")
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		if kind.Valid {
			e.Membership = &store.Membership{UserRowID: e.UserRowID, Kind: kind.String, Name: name.String, Source: msource.String}
		} else {
			u := store.User{ID: e.UserRowID, Connection: e.Connection, ExternalID: ext.String, UserID: uid.String,
				Status: status.String, Source: source.String, SuperUser: super.Bool}
			if err := json.Unmarshal([]byte(fields.String), &u.Fields); err != nil {
				return nil, wrap(err, "event %d fields", e.Seq)
			}
			e.User = &u
			if changed.Valid && changed.String != "[]" {
				if err := json.Unmarshal([]byte(changed.String), &e.Changed); err != nil {
					return nil, wrap(err, "event %d changed fields", e.Seq)
				}
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

func (s *Store) checkPruned(ctx context.Context, after int64) error {
	var through int64
	if err := s.db.QueryRowContext(ctx, `SELECT pruned_through FROM event_state WHERE id = 1`).Scan(&through); err != nil {
		return wrap(err, "read the pruned events")
	}
	if after < through {
		return fmt.Errorf("sqlite: events up to %d are pruned, asked for those after %d: %w", through, after, store.ErrEventsPruned)
	}
	return nil
}

// LastEventSeq returns the highest sequence number handed out, including
// pruned ones.
func (s *Store) LastEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, `SELECT max(COALESCE((SELECT max(seq) FROM events), 0), pruned_through) FROM event_state WHERE id = 1`).Scan(&seq)
	if err != nil {
		return 0, wrap(err, "last event")
	}
	return seq, nil
}

// PruneEvents deletes the events before cutoff. It deletes by sequence
// number up to the newest event older than cutoff, so that what stays is
// always a suffix of the feed.
func (s *Store) PruneEvents(ctx context.Context, cutoff time.Time) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err, "prune events")
	}
	defer tx.Rollback()
	var through sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM events WHERE at < ?`, cutoff.UTC().Format(eventTimeFormat)).Scan(&through); err != nil {
		return 0, wrap(err, "prune events")
	}
	if !through.Valid {
		return 0, nil
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE seq <= ?`, through.Int64)
	if err != nil {
		return 0, wrap(err, "prune events")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE event_state SET pruned_through = max(pruned_through, ?) WHERE id = 1`, through.Int64); err != nil {
		return 0, wrap(err, "prune events")
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err, "prune events: commit")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
