package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// FindOutcomes returns the newest outcomes for a userId or externalId.
func (s *Store) FindOutcomes(ctx context.Context, conn, key string, limit int) ([]store.Outcome, error) {
	if limit <= 0 {
		limit = 20
	}
	return queryAll(ctx, s.db, fmt.Sprintf("find outcomes of %q", key), scanOutcome, `
		SELECT o.run_id, o.user_row_id, o.external_id, o.user_id, o.action, o.reason, o.changes, o.warnings
		FROM run_outcomes o JOIN runs r ON r.id = o.run_id
		WHERE (lower(o.user_id) = lower(?) OR o.external_id = ?) AND (? = '' OR r.connection = ?)
		ORDER BY o.id DESC LIMIT ?`, key, key, conn, conn, limit)
}

// PruneRuns deletes old finished runs; their outcomes go with them (ON
// DELETE CASCADE).
func (s *Store) PruneRuns(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM runs WHERE started_at < ? AND status NOT IN ('running', 'awaitingApproval')`, stamp(before))
	if err != nil {
		return 0, wrap(err, "prune runs")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RunStats totals runs by connection, trigger and status.
func (s *Store) RunStats(ctx context.Context) ([]store.RunStat, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT connection, trigger, status, count(*), coalesce(sum(duration_ms), 0),
			coalesce(sum(json_extract(counts, '$.entriesRead')), 0)
		FROM runs WHERE dry_run = 0 GROUP BY connection, trigger, status ORDER BY connection, trigger, status`)
	if err != nil {
		return nil, wrap(err, "run stats")
	}
	defer rows.Close()
	var out []store.RunStat
	for rows.Next() {
		var r store.RunStat
		if err := rows.Scan(&r.Connection, &r.Trigger, &r.Status, &r.Runs, &r.DurationMs, &r.EntriesRead); err != nil {
			return nil, wrap(err, "run stats")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UserCounts counts users by connection and status.
func (s *Store) UserCounts(ctx context.Context) ([]store.UserCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT connection, status, count(*) FROM users GROUP BY connection, status ORDER BY connection, status`)
	if err != nil {
		return nil, wrap(err, "user counts")
	}
	defer rows.Close()
	var out []store.UserCount
	for rows.Next() {
		var u store.UserCount
		if err := rows.Scan(&u.Connection, &u.Status, &u.Users); err != nil {
			return nil, wrap(err, "user counts")
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
