package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// CreateRun records a new run and returns its id.
func (s *Store) CreateRun(ctx context.Context, r store.Run) (int64, error) {
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Now()
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO runs(connection, trigger, mode, dry_run, status, started_at, undo_of) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		r.Connection, r.Trigger, r.Mode, r.DryRun, r.Status, r.StartedAt, r.UndoOf).Scan(&id)
	return id, wrap(err, "create run")
}

// UpdateRun saves a run's status, counts, warnings and timing.
func (s *Store) UpdateRun(ctx context.Context, r store.Run) error {
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return fmt.Errorf("postgres: update run %d: %w", r.ID, err)
	}
	warnings, err := json.Marshal(nonNilStrings(r.Warnings))
	if err != nil {
		return fmt.Errorf("postgres: update run %d: %w", r.ID, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE runs SET mode = $1, status = $2, error = $3, warnings = $4, counts = $5, finished_at = $6, duration_ms = $7 WHERE id = $8`,
		r.Mode, r.Status, r.Error, warnings, counts, r.FinishedAt, r.DurationMs, r.ID)
	if err != nil {
		return wrap(err, "update run %d", r.ID)
	}
	if tag.RowsAffected() == 0 {
		return notFound("run %d", r.ID)
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const runColumns = `id, connection, trigger, mode, dry_run, status, error, warnings, counts, started_at, finished_at, duration_ms, undo_of,
	COALESCE((SELECT max(u.id) FROM runs u WHERE u.undo_of = runs.id AND u.status IN ('succeeded', 'awaitingApproval', 'running')), 0)`

func scanRun(r pgx.Row) (store.Run, error) {
	var run store.Run
	var warnings, counts []byte
	if err := r.Scan(&run.ID, &run.Connection, &run.Trigger, &run.Mode, &run.DryRun, &run.Status, &run.Error,
		&warnings, &counts, &run.StartedAt, &run.FinishedAt, &run.DurationMs, &run.UndoOf, &run.UndoneBy); err != nil {
		return run, err
	}
	if err := json.Unmarshal(warnings, &run.Warnings); err != nil {
		return run, err
	}
	return run, json.Unmarshal(counts, &run.Counts)
}

// GetRun returns one run.
func (s *Store) GetRun(ctx context.Context, id int64) (store.Run, error) {
	run, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE id = $1`, id))
	return run, wrap(err, "run %d", id)
}

// ListRuns returns runs newest first.
func (s *Store) ListRuns(ctx context.Context, q store.RunQuery) ([]store.Run, error) {
	where := []string{"true"}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Connection != "" {
		where = append(where, "connection = "+arg(q.Connection))
	}
	if q.Status != "" {
		where = append(where, "status = "+arg(q.Status))
	}
	lim := arg(nullLimit(q.Limit))
	return queryAll(ctx, s, "list runs", scanRun, `SELECT `+runColumns+` FROM runs WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT `+lim+`::bigint`, args...)
}

const outcomeColumns = `o.run_id, o.user_row_id, o.external_id, o.user_id, o.action, o.reason, o.changes, o.warnings`

func (s *Store) queryOutcomes(ctx context.Context, what, q string, args ...any) ([]store.Outcome, error) {
	return queryAll(ctx, s, what, scanOutcome, q, args...)
}

func scanOutcome(r pgx.Row) (store.Outcome, error) {
	var o store.Outcome
	var changes, warnings []byte
	if err := r.Scan(&o.RunID, &o.UserRowID, &o.ExternalID, &o.UserID, &o.Action, &o.Reason, &changes, &warnings); err != nil {
		return o, err
	}
	return o, decodeOutcomeJSON(&o, changes, warnings)
}

// ListOutcomes returns a run's per-user outcomes in the order they happened.
func (s *Store) ListOutcomes(ctx context.Context, runID int64, q store.OutcomeQuery) ([]store.Outcome, error) {
	return s.queryOutcomes(ctx, fmt.Sprintf("list outcomes of run %d", runID),
		`SELECT `+outcomeColumns+` FROM run_outcomes o WHERE o.run_id = $1 AND ($2 = '' OR o.action = $2)
			AND ($4 = '' OR strpos(lower(o.user_id), lower($4)) > 0) ORDER BY o.id LIMIT $3::bigint OFFSET $5`,
		runID, q.Action, nullLimit(q.Limit), q.User, max(q.Offset, 0))
}

// FailRunning marks every run still "running" as failed. It is called at
// start-up, when no run of this process can be running yet.
func (s *Store) FailRunning(ctx context.Context, reason string) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE runs SET status = 'failed', error = $1, finished_at = now() WHERE status = 'running'`, reason)
	if err != nil {
		return 0, wrap(err, "fail running runs")
	}
	return int(tag.RowsAffected()), nil
}
