package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

var _ store.SecretKeys = (*Store)(nil)

// KeyFingerprint returns the recorded secret key fingerprint, or "".
func (s *Store) KeyFingerprint(ctx context.Context) (string, error) {
	var fp string
	err := s.pool.QueryRow(ctx, `SELECT fingerprint FROM secret_key WHERE id = 1`).Scan(&fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return fp, wrap(err, "secret key fingerprint")
}

// Reseal re-seals every sealed value and records fingerprint in one
// transaction; see store.SecretKeys. The connections table is locked
// against writers for the transaction, so that no value sealed under the
// old key is added meanwhile.
func (s *Store) Reseal(ctx context.Context, expected, fingerprint string, fn func(store.Sealed) (string, error)) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap(err, "reseal")
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `LOCK TABLE secret_key, connections, webhooks IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return wrap(err, "reseal: lock")
	}
	var got string
	err = tx.QueryRow(ctx, `SELECT fingerprint FROM secret_key WHERE id = 1`).Scan(&got)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return wrap(err, "reseal")
	}
	if got != expected {
		return fmt.Errorf("postgres: reseal: %w", store.ErrKeyChanged)
	}
	rows, err := tx.Query(ctx, `SELECT name, sealed_password FROM connections WHERE sealed_password <> '' ORDER BY name COLLATE "C"`)
	if err != nil {
		return wrap(err, "reseal")
	}
	type row struct{ name, sealed string }
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.name, &x.sealed)
	})
	if err != nil {
		return wrap(err, "reseal")
	}
	for _, r := range all {
		v, err := fn(store.Sealed{What: fmt.Sprintf("connection %q password", r.name), Value: r.sealed})
		if err != nil {
			return err
		}
		if v == r.sealed {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE connections SET sealed_password = $1 WHERE name = $2`, v, r.name); err != nil {
			return wrap(err, "reseal connection %q", r.name)
		}
	}
	if err := resealWebhooks(ctx, tx, fn); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO secret_key(id, fingerprint) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, recorded_at = now()`, fingerprint)
	if err != nil {
		return wrap(err, "record secret key fingerprint")
	}
	return wrap(tx.Commit(ctx), "reseal: commit")
}
