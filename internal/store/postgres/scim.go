package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// CreateSCIMToken stores a SCIM token's hash under a name unique within
// its connection.
func (s *Store) CreateSCIMToken(ctx context.Context, t store.SCIMToken) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO scim_tokens(connection, name, token_hash, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.Connection, t.Name, t.Hash, t.CreatedBy).Scan(&id)
	return id, wrap(err, "create scim token %q of %q", t.Name, t.Connection)
}

const scimTokenColumns = `id, connection, name, token_hash, created_by, created_at, last_used_at`

func scanSCIMToken(r pgx.Row) (store.SCIMToken, error) {
	var t store.SCIMToken
	err := r.Scan(&t.ID, &t.Connection, &t.Name, &t.Hash, &t.CreatedBy, &t.CreatedAt, &t.LastUsedAt)
	return t, err
}

// SCIMTokenByHash finds a SCIM token by its hash and records its use.
func (s *Store) SCIMTokenByHash(ctx context.Context, hash string) (store.SCIMToken, error) {
	t, err := scanSCIMToken(s.pool.QueryRow(ctx, `SELECT `+scimTokenColumns+` FROM scim_tokens WHERE token_hash = $1`, hash))
	if err != nil {
		return t, wrap(err, "scim token")
	}
	// A client sends many requests a minute: the last use is recorded to
	// the minute, not written on every request.
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > time.Minute {
		_, _ = s.pool.Exec(ctx, `UPDATE scim_tokens SET last_used_at = now() WHERE id = $1`, t.ID)
	}
	return t, nil
}

// ListSCIMTokens returns a connection's SCIM tokens, oldest first.
func (s *Store) ListSCIMTokens(ctx context.Context, conn string) ([]store.SCIMToken, error) {
	return queryAll(ctx, s, "list scim tokens", scanSCIMToken, `SELECT `+scimTokenColumns+` FROM scim_tokens WHERE connection = $1 ORDER BY id`, conn)
}

// DeleteSCIMToken revokes a SCIM token.
func (s *Store) DeleteSCIMToken(ctx context.Context, conn string, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM scim_tokens WHERE connection = $1 AND id = $2`, conn, id)
	if err != nil {
		return wrap(err, "delete scim token %d", id)
	}
	if tag.RowsAffected() == 0 {
		return notFound("scim token %d of %q", id, conn)
	}
	return nil
}

const scimResourceColumns = `connection, kind, id, coalesce(name_key, ''), external_id, body, version, created_at, updated_at`

func scanSCIMResource(r pgx.Row) (store.SCIMResource, error) {
	var x store.SCIMResource
	var body string
	err := r.Scan(&x.Connection, &x.Kind, &x.ID, &x.NameKey, &x.ExternalID, &body, &x.Version, &x.CreatedAt, &x.UpdatedAt)
	x.Body = []byte(body)
	return x, err
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// PutSCIMResource creates or replaces a SCIM resource.
func (s *Store) PutSCIMResource(ctx context.Context, r store.SCIMResource, create bool) (store.SCIMResource, error) {
	if create {
		_, err := s.pool.Exec(ctx, `INSERT INTO scim_resources(connection, kind, id, name_key, external_id, body) VALUES ($1, $2, $3, $4, $5, $6)`,
			r.Connection, r.Kind, r.ID, nullIfEmpty(r.NameKey), r.ExternalID, string(r.Body))
		if err != nil {
			return r, wrap(err, "put scim %s %q", r.Kind, r.ID)
		}
	} else {
		tag, err := s.pool.Exec(ctx, `UPDATE scim_resources SET name_key = $1, external_id = $2, body = $3, version = version + 1, updated_at = now()
			WHERE connection = $4 AND kind = $5 AND id = $6`, nullIfEmpty(r.NameKey), r.ExternalID, string(r.Body), r.Connection, r.Kind, r.ID)
		if err != nil {
			return r, wrap(err, "put scim %s %q", r.Kind, r.ID)
		}
		if tag.RowsAffected() == 0 {
			return r, notFound("scim %s %q", r.Kind, r.ID)
		}
	}
	return s.GetSCIMResource(ctx, r.Connection, r.Kind, r.ID)
}

// GetSCIMResource returns one SCIM resource.
func (s *Store) GetSCIMResource(ctx context.Context, conn, kind, id string) (store.SCIMResource, error) {
	r, err := scanSCIMResource(s.pool.QueryRow(ctx, `SELECT `+scimResourceColumns+` FROM scim_resources WHERE connection = $1 AND kind = $2 AND id = $3`, conn, kind, id))
	return r, wrap(err, "scim %s %q", kind, id)
}

// ListSCIMResources returns the matching SCIM resources in creation order.
func (s *Store) ListSCIMResources(ctx context.Context, q store.SCIMQuery) ([]store.SCIMResource, error) {
	return queryAll(ctx, s, "list scim resources", scanSCIMResource, `SELECT `+scimResourceColumns+` FROM scim_resources
		WHERE connection = $1 AND kind = $2 AND ($3 = '' OR name_key = $3) AND ($4 = '' OR external_id = $4) ORDER BY created_at, id`,
		q.Connection, q.Kind, q.NameKey, q.ExternalID)
}

// DeleteSCIMResource removes a SCIM resource.
func (s *Store) DeleteSCIMResource(ctx context.Context, conn, kind, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM scim_resources WHERE connection = $1 AND kind = $2 AND id = $3`, conn, kind, id)
	if err != nil {
		return wrap(err, "delete scim %s %q", kind, id)
	}
	if tag.RowsAffected() == 0 {
		return notFound("scim %s %q", kind, id)
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
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE connection = $1 AND source = 'directory' AND status = 'active'`, conn).Scan(&active)
	return out, active, wrap(err, "count active users of %q", conn)
}
