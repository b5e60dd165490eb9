package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// Leases are timed by the database's clock (clock_timestamp()), not by each
// instance's, so that instances with skewed clocks still agree on when a
// lease expired.

const leaseColumns = `connection, holder, acquired_at, expires_at`

func scanLease(r pgx.Row) (store.Lease, error) {
	var l store.Lease
	err := r.Scan(&l.Connection, &l.Holder, &l.AcquiredAt, &l.ExpiresAt)
	return l, err
}

// AcquireLease takes or renews a connection's lease with one conditional
// upsert: ON CONFLICT DO UPDATE locks the existing row and re-checks the
// WHERE clause against its latest version, so two instances racing for an
// expired lease cannot both win. When nothing was written the lease is
// someone else's, and it is read back to say whose.
func (s *Store) AcquireLease(ctx context.Context, conn, holder string, ttl time.Duration) (store.Lease, error) {
	for attempt := 0; ; attempt++ {
		l, err := scanLease(s.pool.QueryRow(ctx, `
			INSERT INTO leases(connection, holder, acquired_at, expires_at)
			VALUES ($1, $2, clock_timestamp(), clock_timestamp() + $3::bigint * interval '1 microsecond')
			ON CONFLICT (connection) DO UPDATE SET holder = excluded.holder,
				acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
				expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= clock_timestamp()
			RETURNING `+leaseColumns, conn, holder, ttl.Microseconds()))
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return store.Lease{}, wrap(err, "acquire lease of %q", conn)
		}
		cur, err := s.GetLease(ctx, conn)
		if errors.Is(err, store.ErrNotFound) && attempt < 3 {
			continue // released in between: try again
		}
		if err != nil {
			return store.Lease{}, err
		}
		return cur, &store.LeaseHeldError{Lease: cur}
	}
}

// RenewLease extends holder's lease, expired or not, as long as nobody took
// it over.
func (s *Store) RenewLease(ctx context.Context, conn, holder string, ttl time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE leases SET expires_at = clock_timestamp() + $3::bigint * interval '1 microsecond'
		WHERE connection = $1 AND holder = $2`, conn, holder, ttl.Microseconds())
	if err != nil {
		return wrap(err, "renew lease of %q", conn)
	}
	if tag.RowsAffected() == 0 {
		return wrap(store.ErrLeaseLost, "renew lease of %q", conn)
	}
	return nil
}

// ReleaseLease deletes holder's lease.
func (s *Store) ReleaseLease(ctx context.Context, conn, holder string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE connection = $1 AND holder = $2`, conn, holder)
	return wrap(err, "release lease of %q", conn)
}

// GetLease returns a connection's lease.
func (s *Store) GetLease(ctx context.Context, conn string) (store.Lease, error) {
	l, err := scanLease(s.pool.QueryRow(ctx, `SELECT `+leaseColumns+` FROM leases WHERE connection = $1`, conn))
	return l, wrap(err, "lease of %q", conn)
}

// FailOrphanedRuns fails running runs whose connection has no unexpired
// lease held by someone other than holder.
func (s *Store) FailOrphanedRuns(ctx context.Context, conn, holder, reason string) (int, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE runs SET status = 'failed', error = $1, finished_at = now()
		WHERE status = 'running' AND ($2 = '' OR connection = $2)
		AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.connection = runs.connection AND l.holder <> $3 AND l.expires_at > clock_timestamp())`,
		reason, conn, holder)
	if err != nil {
		return 0, wrap(err, "fail orphaned runs")
	}
	return int(tag.RowsAffected()), nil
}
