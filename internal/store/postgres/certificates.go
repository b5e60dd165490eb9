package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

const certColumns = `id, connection, user_id, form, mapping, fingerprint, subject, issuer, serial, not_after, status, written_dn, created_at, updated_at, revoked_at`

func scanCertificate(r pgx.Row) (store.Certificate, error) {
	var c store.Certificate
	err := r.Scan(&c.ID, &c.Connection, &c.UserID, &c.Form, &c.Mapping, &c.Fingerprint, &c.Subject, &c.Issuer,
		&c.Serial, &c.NotAfter, &c.Status, &c.WrittenDN, &c.CreatedAt, &c.UpdatedAt, &c.RevokedAt)
	return c, err
}

// PutCertificate records c, or reactivates the stored record with the same
// connection, user (case-insensitively) and mapping, and returns it: one
// upsert with RETURNING.
func (s *Store) PutCertificate(ctx context.Context, c store.Certificate) (store.Certificate, error) {
	got, err := scanCertificate(s.pool.QueryRow(ctx, `
		INSERT INTO certificates(connection, user_id, form, mapping, fingerprint, subject, issuer, serial, not_after, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active')
		ON CONFLICT (connection, lower(user_id), mapping) DO UPDATE SET status = 'active', revoked_at = NULL, updated_at = now()
		RETURNING `+certColumns,
		c.Connection, c.UserID, c.Form, c.Mapping, c.Fingerprint, c.Subject, c.Issuer, c.Serial, c.NotAfter))
	if err != nil {
		return c, wrap(err, "put certificate of %q", c.UserID)
	}
	return got, nil
}

// UpdateCertificate saves c's status, revocation time and written DN.
func (s *Store) UpdateCertificate(ctx context.Context, c store.Certificate) error {
	tag, err := s.pool.Exec(ctx, `UPDATE certificates SET status = $1, written_dn = $2, revoked_at = $3, updated_at = now() WHERE id = $4`,
		c.Status, c.WrittenDN, c.RevokedAt, c.ID)
	if err != nil {
		return wrap(err, "update certificate %d", c.ID)
	}
	if tag.RowsAffected() == 0 {
		return notFound("certificate %d", c.ID)
	}
	return nil
}

// ListCertificates returns the certificates matching q in the order they
// were enrolled.
func (s *Store) ListCertificates(ctx context.Context, q store.CertificateQuery) ([]store.Certificate, error) {
	where := []string{"true"}
	var args []any
	for _, f := range []struct{ cond, val string }{
		{"connection = $%d", q.Connection}, {"lower(user_id) = lower($%d)", q.UserID},
		{"status = $%d", q.Status}, {"mapping = $%d", q.Mapping},
	} {
		if f.val != "" {
			args = append(args, f.val)
			where = append(where, fmt.Sprintf(f.cond, len(args)))
		}
	}
	return queryAll(ctx, s, "list certificates", scanCertificate, `SELECT `+certColumns+` FROM certificates WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
}
