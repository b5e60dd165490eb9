package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// CreateSCIMToken stores a SCIM token's hash under a name unique within
// its connection.
func (s *Store) CreateSCIMToken(ctx context.Context, t store.SCIMToken) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO scim_tokens(connection, name, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.Connection, t.Name, t.Hash, t.CreatedBy, now())
	if isConflict(err) {
		return 0, fmt.Errorf("sqlite: scim token %q of %q: %w", t.Name, t.Connection, store.ErrConflict)
	}
	if err != nil {
		return 0, wrap(err, "create scim token")
	}
	return res.LastInsertId()
}

const scimTokenColumns = `id, connection, name, token_hash, created_by, created_at, last_used_at`

func scanSCIMToken(r scanner) (store.SCIMToken, error) {
	var t store.SCIMToken
	var created string
	var used sql.NullString
	if err := r.Scan(&t.ID, &t.Connection, &t.Name, &t.Hash, &t.CreatedBy, &created, &used); err != nil {
		return t, err
	}
	t.CreatedAt = parseTime(created)
	if used.Valid {
		u := parseTime(used.String)
		t.LastUsedAt = &u
	}
	return t, nil
}

// SCIMTokenByHash finds a SCIM token by its hash and records its use.
func (s *Store) SCIMTokenByHash(ctx context.Context, hash string) (store.SCIMToken, error) {
	t, err := scanSCIMToken(s.queryRowStmt(ctx, `SELECT `+scimTokenColumns+` FROM scim_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("sqlite: scim token: %w", store.ErrNotFound)
	}
	if err != nil {
		return t, wrap(err, "scim token")
	}
	// A client sends many requests a minute: the last use is recorded to
	// the minute, not written on every request.
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > time.Minute {
		_, _ = s.db.ExecContext(ctx, `UPDATE scim_tokens SET last_used_at = ? WHERE id = ?`, now(), t.ID)
	}
	return t, nil
}

// ListSCIMTokens returns a connection's SCIM tokens, oldest first.
func (s *Store) ListSCIMTokens(ctx context.Context, conn string) ([]store.SCIMToken, error) {
	return queryAll(ctx, s.db, "list scim tokens", scanSCIMToken, `SELECT `+scimTokenColumns+` FROM scim_tokens WHERE connection = ? ORDER BY id`, conn)
}

// DeleteSCIMToken revokes a SCIM token.
func (s *Store) DeleteSCIMToken(ctx context.Context, conn string, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM scim_tokens WHERE connection = ? AND id = ?`, conn, id)
	if err != nil {
		return wrap(err, "delete scim token %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: scim token %d of %q: %w", id, conn, store.ErrNotFound)
	}
	return nil
}

const scimResourceColumns = `connection, kind, id, coalesce(name_key, ''), external_id, body, version, created_at, updated_at`

func scanSCIMResource(r scanner) (store.SCIMResource, error) {
	var x store.SCIMResource
	var body, created, updated string
	if err := r.Scan(&x.Connection, &x.Kind, &x.ID, &x.NameKey, &x.ExternalID, &body, &x.Version, &created, &updated); err != nil {
		return x, err
	}
	x.Body = []byte(body)
	x.CreatedAt, x.UpdatedAt = parseTime(created), parseTime(updated)
	return x, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// PutSCIMResource creates or replaces a SCIM resource.
func (s *Store) PutSCIMResource(ctx context.Context, r store.SCIMResource, create bool) (store.SCIMResource, error) {
	t := now()
	var err error
	if create {
		_, err = s.execStmt(ctx, `INSERT INTO scim_resources(connection, kind, id, name_key, external_id, body, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`, r.Connection, r.Kind, r.ID, nullIfEmpty(r.NameKey), r.ExternalID, string(r.Body), t, t)
	} else {
		var res sql.Result
		res, err = s.execStmt(ctx, `UPDATE scim_resources SET name_key = ?, external_id = ?, body = ?, version = version + 1, updated_at = ?
			WHERE connection = ? AND kind = ? AND id = ?`, nullIfEmpty(r.NameKey), r.ExternalID, string(r.Body), t, r.Connection, r.Kind, r.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return r, fmt.Errorf("sqlite: scim %s %q: %w", r.Kind, r.ID, store.ErrNotFound)
			}
		}
	}
	if err != nil {
		return r, wrap(err, "put scim %s %q", r.Kind, r.ID)
	}
	return s.GetSCIMResource(ctx, r.Connection, r.Kind, r.ID)
}

// GetSCIMResource returns one SCIM resource.
func (s *Store) GetSCIMResource(ctx context.Context, conn, kind, id string) (store.SCIMResource, error) {
	r, err := scanSCIMResource(s.queryRowStmt(ctx, `SELECT `+scimResourceColumns+` FROM scim_resources WHERE connection = ? AND kind = ? AND id = ?`, conn, kind, id))
	return r, wrap(err, "scim %s %q", kind, id)
}

// ListSCIMResources returns the matching SCIM resources in creation order.
func (s *Store) ListSCIMResources(ctx context.Context, q store.SCIMQuery) ([]store.SCIMResource, error) {
	return queryAll(ctx, s.db, "list scim resources", scanSCIMResource, `SELECT `+scimResourceColumns+` FROM scim_resources
		WHERE connection = ? AND kind = ? AND (? = '' OR name_key = ?) AND (? = '' OR external_id = ?) ORDER BY created_at, id`,
		q.Connection, q.Kind, q.NameKey, q.NameKey, q.ExternalID, q.ExternalID)
}

// DeleteSCIMResource removes a SCIM resource.
func (s *Store) DeleteSCIMResource(ctx context.Context, conn, kind, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM scim_resources WHERE connection = ? AND kind = ? AND id = ?`, conn, kind, id)
	if err != nil {
		return wrap(err, "delete scim %s %q", kind, id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: scim %s %q: %w", kind, id, store.ErrNotFound)
	}
	return nil
}

// IndexEntries returns the index entries of some external ids and the
// connection's active count.
func (s *Store) IndexEntries(ctx context.Context, conn string, exts []string) ([]store.IndexEntry, int, error) {
	out, err := s.LookupIndex(ctx, conn, exts)
	if err != nil {
		return nil, 0, err
	}
	var active int
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE connection = ? AND source = 'directory' AND status = 'active'`, conn).Scan(&active)
	return out, active, wrap(err, "count active users of %q", conn)
}
