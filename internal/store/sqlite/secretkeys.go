package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/store"
)

var _ store.SecretKeys = (*Store)(nil)

// KeyFingerprint returns the recorded secret key fingerprint, or "".
func (s *Store) KeyFingerprint(ctx context.Context) (string, error) {
	return keyFingerprint(ctx, s.db)
}

func keyFingerprint(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (string, error) {
	var fp string
	err := q.QueryRowContext(ctx, `SELECT fingerprint FROM secret_key WHERE id = 1`).Scan(&fp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return fp, wrap(err, "secret key fingerprint")
}

// Reseal re-seals every sealed value and records fingerprint in one
// transaction; see store.SecretKeys.
func (s *Store) Reseal(ctx context.Context, expected, fingerprint string, fn func(store.Sealed) (string, error)) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, "reseal")
	}
	defer tx.Rollback()
	got, err := keyFingerprint(ctx, tx)
	if err != nil {
		return err
	}
	if got != expected {
		return fmt.Errorf("sqlite: reseal: %w", store.ErrKeyChanged)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, sealed_password FROM connections WHERE sealed_password <> '' ORDER BY name`)
	if err != nil {
		return wrap(err, "reseal")
	}
	type row struct{ name, sealed string }
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.name, &r.sealed); err != nil {
			rows.Close()
			return wrap(err, "reseal")
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
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
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET sealed_password = ? WHERE name = ?`, v, r.name); err != nil {
			return wrap(err, "reseal connection %q", r.name)
		}
	}
	if err := resealWebhooks(ctx, tx, fn); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO secret_key(id, fingerprint, recorded_at) VALUES (1, ?, ?)
		ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint, recorded_at = excluded.recorded_at`, fingerprint, now())
	if err != nil {
		return wrap(err, "record secret key fingerprint")
	}
	return wrap(tx.Commit(), "reseal: commit")
}
