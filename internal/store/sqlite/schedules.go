package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// ensureState makes sure a connection has a schedule_state row.
func ensureState(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, conn string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO schedule_state(connection) VALUES (?) ON CONFLICT(connection) DO NOTHING`, conn)
	return err
}

// GetScheduleState returns a connection's scheduler state.
func (s *Store) GetScheduleState(ctx context.Context, conn string) (store.ScheduleState, error) {
	st := store.ScheduleState{Connection: conn}
	var last, next, req sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT paused, last_fire, next_run_at, run_requested_at, run_full FROM schedule_state WHERE connection = ?`, conn).
		Scan(&st.Paused, &last, &next, &req, &st.RunFull)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, wrap(err, "schedule state of %q", conn)
	}
	st.LastFire, st.NextRunAt, st.RunRequestedAt = nullTime(last), nullTime(next), nullTime(req)
	return st, nil
}

func nullTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

// SetPaused pauses or resumes a connection's scheduled and live runs.
func (s *Store) SetPaused(ctx context.Context, conn string, paused bool) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO schedule_state(connection, paused) VALUES (?, ?)
		ON CONFLICT(connection) DO UPDATE SET paused = excluded.paused`, conn, paused)
	if err != nil {
		return wrap(err, "pause %q", conn)
	}
	return nil
}

// RequestRun records a "run now" request.
func (s *Store) RequestRun(ctx context.Context, conn string, full bool) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO schedule_state(connection, run_requested_at, run_full) VALUES (?, ?, ?)
		ON CONFLICT(connection) DO UPDATE SET run_requested_at = excluded.run_requested_at, run_full = run_full OR excluded.run_full`,
		conn, now(), full)
	if err != nil {
		return wrap(err, "request a run of %q", conn)
	}
	return nil
}

// TakeRunRequest clears a pending request in one immediate transaction, so
// that two schedulers never both take it.
func (s *Store) TakeRunRequest(ctx context.Context, conn string) (bool, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, false, wrap(err, "take run request of %q", conn)
	}
	defer tx.Rollback()
	var full bool
	err = tx.QueryRowContext(ctx, `SELECT run_full FROM schedule_state WHERE connection = ? AND run_requested_at IS NOT NULL`, conn).Scan(&full)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, wrap(err, "take run request of %q", conn)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schedule_state SET run_requested_at = NULL, run_full = 0 WHERE connection = ?`, conn); err != nil {
		return false, false, wrap(err, "take run request of %q", conn)
	}
	if err := tx.Commit(); err != nil {
		return false, false, wrap(err, "take run request of %q: commit", conn)
	}
	return true, full, nil
}

// ClaimFiring moves last_fire forward to fire only if it is behind it: the
// conditional UPDATE is the whole arbitration between schedulers.
func (s *Store) ClaimFiring(ctx context.Context, conn string, fire time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, wrap(err, "claim firing")
	}
	defer tx.Rollback()
	if err := ensureState(ctx, tx, conn); err != nil {
		return false, wrap(err, "claim firing")
	}
	f := stamp(fire)
	res, err := tx.ExecContext(ctx, `UPDATE schedule_state SET last_fire = ? WHERE connection = ? AND (last_fire IS NULL OR last_fire < ?)`, f, conn, f)
	if err != nil {
		return false, wrap(err, "claim firing")
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return false, wrap(err, "claim firing: commit")
	}
	return n == 1, nil
}

// SetNextRun records the next scheduled run.
func (s *Store) SetNextRun(ctx context.Context, conn string, next time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO schedule_state(connection, next_run_at) VALUES (?, ?)
		ON CONFLICT(connection) DO UPDATE SET next_run_at = excluded.next_run_at`, conn, stamp(next))
	if err != nil {
		return wrap(err, "set next run of %q", conn)
	}
	return nil
}

// ClearChangeToken forgets a connection's change token.
func (s *Store) ClearChangeToken(ctx context.Context, conn string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE connections SET change_token = '' WHERE name = ?`, conn)
	if err != nil {
		return wrap(err, "clear change token of %q", conn)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: connection %q: %w", conn, store.ErrNotFound)
	}
	return nil
}
