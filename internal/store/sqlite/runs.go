package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// CreateRun records a new run and returns its id.
func (s *Store) CreateRun(ctx context.Context, r store.Run) (int64, error) {
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Now()
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO runs(connection, trigger, mode, dry_run, status, started_at, undo_of) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.Connection, r.Trigger, r.Mode, r.DryRun, r.Status, r.StartedAt.UTC().Format(timeFormat), r.UndoOf)
	if err != nil {
		return 0, wrap(err, "create run")
	}
	return res.LastInsertId()
}

// UpdateRun saves a run's status, counts, warnings and timing.
func (s *Store) UpdateRun(ctx context.Context, r store.Run) error {
	counts, _ := json.Marshal(r.Counts)
	warnings, _ := json.Marshal(nonNilStrings(r.Warnings))
	var finished any
	if r.FinishedAt != nil {
		finished = r.FinishedAt.UTC().Format(timeFormat)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET mode = ?, status = ?, error = ?, warnings = ?, counts = ?, finished_at = ?, duration_ms = ? WHERE id = ?`,
		r.Mode, r.Status, r.Error, string(warnings), string(counts), finished, r.DurationMs, r.ID)
	if err != nil {
		return wrap(err, "update run %d", r.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: run %d: %w", r.ID, store.ErrNotFound)
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

func scanRun(r scanner) (store.Run, error) {
	var run store.Run
	var warnings, counts, started string
	var finished sql.NullString
	if err := r.Scan(&run.ID, &run.Connection, &run.Trigger, &run.Mode, &run.DryRun, &run.Status, &run.Error,
		&warnings, &counts, &started, &finished, &run.DurationMs, &run.UndoOf, &run.UndoneBy); err != nil {
		return run, err
	}
	run.StartedAt = parseTime(started)
	if finished.Valid {
		t := parseTime(finished.String)
		run.FinishedAt = &t
	}
	if err := json.Unmarshal([]byte(warnings), &run.Warnings); err != nil {
		return run, err
	}
	return run, json.Unmarshal([]byte(counts), &run.Counts)
}

// GetRun returns one run.
func (s *Store) GetRun(ctx context.Context, id int64) (store.Run, error) {
	run, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return run, fmt.Errorf("sqlite: run %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return run, wrap(err, "get run %d", id)
	}
	return run, nil
}

// ListRuns returns runs newest first.
func (s *Store) ListRuns(ctx context.Context, q store.RunQuery) ([]store.Run, error) {
	where := []string{"1=1"}
	var args []any
	if q.Connection != "" {
		where, args = append(where, "connection = ?"), append(args, q.Connection)
	}
	if q.Status != "" {
		where, args = append(where, "status = ?"), append(args, q.Status)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)
	return queryAll(ctx, s.db, "list runs", scanRun, `SELECT `+runColumns+` FROM runs WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
}

// ListOutcomes returns a run's per-user outcomes in the order they happened.
func (s *Store) ListOutcomes(ctx context.Context, runID int64, q store.OutcomeQuery) ([]store.Outcome, error) {
	args := []any{runID}
	where := "run_id = ?"
	if q.Action != "" {
		where += " AND action = ?"
		args = append(args, q.Action)
	}
	if q.User != "" {
		where += " AND instr(lower(user_id), lower(?)) > 0"
		args = append(args, q.User)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit, max(q.Offset, 0))
	return queryAll(ctx, s.db, fmt.Sprintf("list outcomes of run %d", runID), scanOutcome,
		`SELECT run_id, user_row_id, external_id, user_id, action, reason, changes, warnings FROM run_outcomes WHERE `+where+` ORDER BY id LIMIT ? OFFSET ?`, args...)
}

// scanOutcome reads the columns run_id, user_row_id, external_id, user_id,
// action, reason, changes and warnings.
func scanOutcome(r scanner) (store.Outcome, error) {
	var o store.Outcome
	var changes, warnings string
	if err := r.Scan(&o.RunID, &o.UserRowID, &o.ExternalID, &o.UserID, &o.Action, &o.Reason, &changes, &warnings); err != nil {
		return o, err
	}
	if changes != "" {
		if err := json.Unmarshal([]byte(changes), &o.Changes); err != nil {
			return o, fmt.Errorf("outcome changes: %w", err)
		}
	}
	if warnings != "" {
		if err := json.Unmarshal([]byte(warnings), &o.Warnings); err != nil {
			return o, fmt.Errorf("outcome warnings: %w", err)
		}
	}
	return o, nil
}

// FailRunning marks every run still "running" as failed. It is called at
// start-up, when no run of this process can be running yet.
func (s *Store) FailRunning(ctx context.Context, reason string) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE status = 'running'`, reason, now())
	if err != nil {
		return 0, wrap(err, "fail running runs")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
