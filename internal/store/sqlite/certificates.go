package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/store"
)

const certColumns = `id, connection, user_id, form, mapping, fingerprint, subject, issuer, serial, not_after, status, written_dn, created_at, updated_at, revoked_at`

func scanCertificate(r scanner) (store.Certificate, error) {
	var c store.Certificate
	var notAfter, created, updated string
	var revoked sql.NullString
	if err := r.Scan(&c.ID, &c.Connection, &c.UserID, &c.Form, &c.Mapping, &c.Fingerprint, &c.Subject, &c.Issuer,
		&c.Serial, &notAfter, &c.Status, &c.WrittenDN, &created, &updated, &revoked); err != nil {
		return c, err
	}
	c.NotAfter, c.CreatedAt, c.UpdatedAt = parseTime(notAfter), parseTime(created), parseTime(updated)
	if revoked.Valid {
		t := parseTime(revoked.String)
		c.RevokedAt = &t
	}
	return c, nil
}

// PutCertificate records c, or reactivates the stored record with the same
// connection, user (case-insensitively) and mapping, and returns it.
func (s *Store) PutCertificate(ctx context.Context, c store.Certificate) (store.Certificate, error) {
	t := now()
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO certificates(connection, user_id, form, mapping, fingerprint, subject, issuer, serial, not_after, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
		ON CONFLICT(connection, lower(user_id), mapping) DO UPDATE SET status = 'active', revoked_at = NULL, updated_at = excluded.updated_at`,
		c.Connection, c.UserID, c.Form, c.Mapping, c.Fingerprint, c.Subject, c.Issuer, c.Serial,
		c.NotAfter.UTC().Format(timeFormat), t, t)
	if err != nil {
		return c, wrap(err, "put certificate of %q", c.UserID)
	}
	got, err := s.ListCertificates(ctx, store.CertificateQuery{Connection: c.Connection, UserID: c.UserID, Mapping: c.Mapping})
	if err != nil {
		return c, err
	}
	if len(got) != 1 {
		return c, fmt.Errorf("sqlite: put certificate of %q: %d records after insert", c.UserID, len(got))
	}
	return got[0], nil
}

// UpdateCertificate saves c's status, revocation time and written DN.
func (s *Store) UpdateCertificate(ctx context.Context, c store.Certificate) error {
	var revoked any
	if c.RevokedAt != nil {
		revoked = c.RevokedAt.UTC().Format(timeFormat)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE certificates SET status = ?, written_dn = ?, revoked_at = ?, updated_at = ? WHERE id = ?`,
		c.Status, c.WrittenDN, revoked, time.Now().UTC().Format(timeFormat), c.ID)
	if err != nil {
		return wrap(err, "update certificate %d", c.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: certificate %d: %w", c.ID, store.ErrNotFound)
	}
	return nil
}

// ListCertificates returns the certificates matching q in the order they
// were enrolled.
func (s *Store) ListCertificates(ctx context.Context, q store.CertificateQuery) ([]store.Certificate, error) {
	where := []string{"1=1"}
	var args []any
	for _, f := range []struct{ cond, val string }{
		{"connection = ?", q.Connection}, {"lower(user_id) = lower(?)", q.UserID},
		{"status = ?", q.Status}, {"mapping = ?", q.Mapping},
	} {
		if f.val != "" {
			where, args = append(where, f.cond), append(args, f.val)
		}
	}
	return queryAll(ctx, s.db, "list certificates", scanCertificate, `SELECT `+certColumns+` FROM certificates WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
}
