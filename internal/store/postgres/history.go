package postgres

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
	return s.queryOutcomes(ctx, fmt.Sprintf("find outcomes of %q", key), `
		SELECT `+outcomeColumns+`
		FROM run_outcomes o JOIN runs r ON r.id = o.run_id
		WHERE (lower(o.user_id) = lower($1) OR o.external_id = $1) AND ($2 = '' OR r.connection = $2)
		ORDER BY o.id DESC LIMIT $3`, key, conn, limit)
}

// PruneRuns deletes old finished runs; their outcomes go with them (ON
// DELETE CASCADE).
func (s *Store) PruneRuns(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM runs WHERE started_at < $1 AND status NOT IN ('running', 'awaitingApproval')`, before)
	if err != nil {
		return 0, wrap(err, "prune runs")
	}
	return int(tag.RowsAffected()), nil
}

// RunStats totals runs by connection, trigger and status.
func (s *Store) RunStats(ctx context.Context) ([]store.RunStat, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT connection, trigger, status, count(*), coalesce(sum(duration_ms), 0)::bigint,
			coalesce(sum((counts->>'entriesRead')::bigint), 0)::bigint
		FROM runs WHERE NOT dry_run GROUP BY connection, trigger, status
		ORDER BY connection COLLATE "C", trigger COLLATE "C", status COLLATE "C"`)
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
	return out, wrap(rows.Err(), "run stats")
}

// UserCounts counts users by connection and status.
func (s *Store) UserCounts(ctx context.Context) ([]store.UserCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT connection, status, count(*) FROM users GROUP BY connection, status
		ORDER BY connection COLLATE "C", status COLLATE "C"`)
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
	return out, wrap(rows.Err(), "user counts")
}
