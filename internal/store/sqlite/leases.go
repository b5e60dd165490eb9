package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

func stamp(t time.Time) string { return t.UTC().Format(timeFormat) }

// AcquireLease takes or renews a connection's lease in one immediate
// transaction: SQLite serialises writers, so the read of the current holder
// and the write of the new one cannot interleave with another instance's.
func (s *Store) AcquireLease(ctx context.Context, conn, holder string, ttl time.Duration) (store.Lease, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return store.Lease{}, wrap(err, "acquire lease")
	}
	defer tx.Rollback()
	now := time.Now()
	l := store.Lease{Connection: conn, Holder: holder, AcquiredAt: now, ExpiresAt: now.Add(ttl)}
	cur, err := scanLease(tx.QueryRowContext(ctx, `SELECT connection, holder, acquired_at, expires_at FROM leases WHERE connection = ?`, conn))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return l, wrap(err, "acquire lease")
	case cur.Holder == holder:
		l.AcquiredAt = cur.AcquiredAt
	case cur.ExpiresAt.After(now):
		return cur, &store.LeaseHeldError{Lease: cur}
	}
	// The conditional upsert repeats the check, so that even a store that
	// did not serialise the transaction could not hand the lease out twice.
	res, err := tx.ExecContext(ctx, `
		INSERT INTO leases(connection, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(connection) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
		conn, holder, stamp(l.AcquiredAt), stamp(l.ExpiresAt), stamp(now))
	if err != nil {
		return l, wrap(err, "acquire lease")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cur, &store.LeaseHeldError{Lease: cur}
	}
	if err := tx.Commit(); err != nil {
		return l, wrap(err, "acquire lease: commit")
	}
	return l, nil
}

// RenewLease extends holder's unexpired or expired-but-untaken lease.
func (s *Store) RenewLease(ctx context.Context, conn, holder string, ttl time.Duration) error {
	res, err := s.db.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE connection = ? AND holder = ?`,
		stamp(time.Now().Add(ttl)), conn, holder)
	if err != nil {
		return wrap(err, "renew lease of %q", conn)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: renew lease of %q: %w", conn, store.ErrLeaseLost)
	}
	return nil
}

// ReleaseLease deletes holder's lease.
func (s *Store) ReleaseLease(ctx context.Context, conn, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE connection = ? AND holder = ?`, conn, holder); err != nil {
		return wrap(err, "release lease of %q", conn)
	}
	return nil
}

// GetLease returns a connection's lease.
func (s *Store) GetLease(ctx context.Context, conn string) (store.Lease, error) {
	l, err := scanLease(s.db.QueryRowContext(ctx, `SELECT connection, holder, acquired_at, expires_at FROM leases WHERE connection = ?`, conn))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("sqlite: lease of %q: %w", conn, store.ErrNotFound)
	}
	if err != nil {
		return l, wrap(err, "lease of %q", conn)
	}
	return l, nil
}

func scanLease(r scanner) (store.Lease, error) {
	var l store.Lease
	var acq, exp string
	if err := r.Scan(&l.Connection, &l.Holder, &acq, &exp); err != nil {
		return l, err
	}
	l.AcquiredAt, l.ExpiresAt = parseTime(acq), parseTime(exp)
	return l, nil
}

// FailOrphanedRuns fails running runs whose connection has no unexpired
// lease held by someone other than holder.
func (s *Store) FailOrphanedRuns(ctx context.Context, conn, holder, reason string) (int, error) {
	t := now()
	res, err := s.db.ExecContext(ctx, `
		UPDATE runs SET status = 'failed', error = ?, finished_at = ?
		WHERE status = 'running' AND (? = '' OR connection = ?)
		AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.connection = runs.connection AND l.holder <> ? AND l.expires_at > ?)`,
		reason, t, conn, conn, holder, t)
	if err != nil {
		return 0, wrap(err, "fail orphaned runs")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
