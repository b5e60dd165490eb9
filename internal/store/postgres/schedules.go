package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// GetScheduleState returns a connection's scheduler state.
func (s *Store) GetScheduleState(ctx context.Context, conn string) (store.ScheduleState, error) {
	st := store.ScheduleState{Connection: conn}
	err := s.pool.QueryRow(ctx, `SELECT paused, last_fire, next_run_at, run_requested_at, run_full FROM schedule_state WHERE connection = $1`, conn).
		Scan(&st.Paused, &st.LastFire, &st.NextRunAt, &st.RunRequestedAt, &st.RunFull)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	return st, wrap(err, "schedule state of %q", conn)
}

// SetPaused pauses or resumes a connection's scheduled and live runs.
func (s *Store) SetPaused(ctx context.Context, conn string, paused bool) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO schedule_state(connection, paused) VALUES ($1, $2)
		ON CONFLICT (connection) DO UPDATE SET paused = excluded.paused`, conn, paused)
	return wrap(err, "pause %q", conn)
}

// RequestRun records a "run now" request; a pending full request stays full.
func (s *Store) RequestRun(ctx context.Context, conn string, full bool) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO schedule_state(connection, run_requested_at, run_full) VALUES ($1, now(), $2)
		ON CONFLICT (connection) DO UPDATE SET run_requested_at = excluded.run_requested_at,
			run_full = schedule_state.run_full OR excluded.run_full`, conn, full)
	return wrap(err, "request a run of %q", conn)
}

// TakeRunRequest clears a pending request in one statement: the sub-select
// locks the row (FOR UPDATE), so of two schedulers only one sees it pending.
func (s *Store) TakeRunRequest(ctx context.Context, conn string) (bool, bool, error) {
	var full bool
	err := s.pool.QueryRow(ctx, `
		UPDATE schedule_state st SET run_requested_at = NULL, run_full = false
		FROM (SELECT connection, run_full FROM schedule_state WHERE connection = $1 AND run_requested_at IS NOT NULL FOR UPDATE) old
		WHERE st.connection = old.connection AND st.run_requested_at IS NOT NULL
		RETURNING old.run_full`, conn).Scan(&full)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, wrap(err, "take run request of %q", conn)
	}
	return true, full, nil
}

// ClaimFiring moves last_fire forward to fire only if it is behind it: the
// conditional upsert is the whole arbitration between schedulers.
func (s *Store) ClaimFiring(ctx context.Context, conn string, fire time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO schedule_state(connection, last_fire) VALUES ($1, $2)
		ON CONFLICT (connection) DO UPDATE SET last_fire = excluded.last_fire
		WHERE schedule_state.last_fire IS NULL OR schedule_state.last_fire < excluded.last_fire`, conn, fire)
	if err != nil {
		return false, wrap(err, "claim firing of %q", conn)
	}
	return tag.RowsAffected() == 1, nil
}

// SetNextRun records the next scheduled run.
func (s *Store) SetNextRun(ctx context.Context, conn string, next time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO schedule_state(connection, next_run_at) VALUES ($1, $2)
		ON CONFLICT (connection) DO UPDATE SET next_run_at = excluded.next_run_at`, conn, next)
	return wrap(err, "set next run of %q", conn)
}
