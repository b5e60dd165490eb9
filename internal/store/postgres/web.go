package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// This file holds the administrators, sessions, API tokens, local-user
// maintenance and last outcomes the web UI and the API read and write.

// CreateAdmin stores a new administrator; an existing name is store.ErrConflict.
func (s *Store) CreateAdmin(ctx context.Context, a store.Admin) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO admins(name, password_hash, role, disabled) VALUES ($1, $2, $3, $4)`,
		a.Name, a.PasswordHash, roleOrAdmin(a.Role), a.Disabled)
	return wrap(err, "create admin %q", a.Name)
}

// GetAdmin returns one administrator.
func (s *Store) GetAdmin(ctx context.Context, name string) (store.Admin, error) {
	var a store.Admin
	err := s.pool.QueryRow(ctx, `SELECT name, password_hash, created_at, role, disabled FROM admins WHERE name = $1`, name).
		Scan(&a.Name, &a.PasswordHash, &a.CreatedAt, &a.Role, &a.Disabled)
	return a, wrap(err, "admin %q", name)
}

// CountAdmins returns how many administrators exist.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM admins`).Scan(&n)
	return n, wrap(err, "count admins")
}

// SetAdminPassword replaces an administrator's password hash; an unknown
// name is store.ErrNotFound.
func (s *Store) SetAdminPassword(ctx context.Context, name, hash string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE admins SET password_hash = $1 WHERE name = $2`, hash, name)
	if err != nil {
		return wrap(err, "set password of admin %q", name)
	}
	if tag.RowsAffected() == 0 {
		return notFound("admin %q", name)
	}
	return nil
}

// DeleteAdminSessions removes every session of an administrator except
// the one whose hash is keep (none when keep is empty).
func (s *Store) DeleteAdminSessions(ctx context.Context, admin, keep string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE admin = $1 AND id_hash <> $2`, admin, keep)
	return wrap(err, "delete sessions of admin %q", admin)
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, ss store.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions(id_hash, admin, csrf_token, expires_at) VALUES ($1, $2, $3, $4)`,
		ss.IDHash, ss.Admin, ss.CSRFToken, ss.ExpiresAt)
	return wrap(err, "create session")
}

// GetSession returns a session that has not expired; an unknown or expired
// one is store.ErrNotFound (and an expired one is deleted).
func (s *Store) GetSession(ctx context.Context, idHash string) (store.Session, error) {
	var ss store.Session
	err := s.pool.QueryRow(ctx, `SELECT id_hash, admin, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1`, idHash).
		Scan(&ss.IDHash, &ss.Admin, &ss.CSRFToken, &ss.CreatedAt, &ss.ExpiresAt)
	if err != nil {
		return ss, wrap(err, "session")
	}
	if time.Now().After(ss.ExpiresAt) {
		_ = s.DeleteSession(ctx, idHash)
		return store.Session{}, notFound("session expired")
	}
	return ss, nil
}

// DeleteSession removes a session (logout). Removing an unknown one is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return wrap(err, "delete session")
}

// CreateAPIToken stores a token's hash under a unique name.
func (s *Store) CreateAPIToken(ctx context.Context, t store.APIToken) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO api_tokens(name, token_hash, created_by, scope, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.Name, t.Hash, t.CreatedBy, t.Scope, t.ExpiresAt).Scan(&id)
	return id, wrap(err, "create api token %q", t.Name)
}

const tokenColumns = `id, name, token_hash, created_by, created_at, last_used_at, scope, expires_at`

func scanToken(r pgx.Row) (store.APIToken, error) {
	var t store.APIToken
	err := r.Scan(&t.ID, &t.Name, &t.Hash, &t.CreatedBy, &t.CreatedAt, &t.LastUsedAt, &t.Scope, &t.ExpiresAt)
	return t, err
}

// APITokenByHash finds a token by the SHA-256 of its value and records its
// use; the returned token shows the use before this one.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (store.APIToken, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, hash))
	if err != nil {
		return t, wrap(err, "api token")
	}
	_, _ = s.pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, t.ID)
	return t, nil
}

// ListAPITokens returns every token (without its value), oldest first.
func (s *Store) ListAPITokens(ctx context.Context) ([]store.APIToken, error) {
	return queryAll(ctx, s, "list api tokens", scanToken, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id`)
}

// DeleteAPIToken revokes a token.
func (s *Store) DeleteAPIToken(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1`, id)
	if err != nil {
		return wrap(err, "delete api token %d", id)
	}
	if tag.RowsAffected() == 0 {
		return notFound("api token %d", id)
	}
	return nil
}

// ListLocalUsers returns local users ordered by userId.
func (s *Store) ListLocalUsers(ctx context.Context) ([]store.User, error) {
	return s.queryUsers(ctx, "list local users", `SELECT `+userColumns+` FROM users WHERE source = 'local' ORDER BY lower(user_id) COLLATE "C", id`)
}

// UpdateLocalUser saves a local user's userId, status, fields and, when
// PasswordHash is not empty, password. Directory users cannot be changed
// here (they are store.ErrNotFound).
func (s *Store) UpdateLocalUser(ctx context.Context, u store.User) error {
	fields, err := json.Marshal(nonNil(u.Fields))
	if err != nil {
		return fmt.Errorf("postgres: update local user: %w", err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE users SET user_id = $1, user_key = $6, status = $2, fields = $3,
		password_hash = CASE WHEN $4 = '' THEN password_hash ELSE $4 END, updated_at = now(),
		id_clash = CASE WHEN $2 = 'active' AND $6 = user_key THEN id_clash ELSE 0 END
		WHERE id = $5 AND source = 'local' AND (user_key = $6 OR NOT EXISTS (
			SELECT 1 FROM users o WHERE o.source = 'local' AND o.user_key = $6 AND o.id <> $5))`,
		u.UserID, u.Status, fields, u.PasswordHash, u.ID, store.UserIDKey(u.UserID))
	if isCode(err, uniqueViolation) {
		return s.heldError(ctx, fmt.Sprintf("update local user %q", u.UserID), u.UserID, u.ID, err)
	}
	if err != nil {
		return wrap(err, "update local user %q", u.UserID)
	}
	if tag.RowsAffected() == 0 {
		// Either no such local user, or another local user holds the
		// userId in another case.
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE id = $1 AND source = 'local'`, u.ID).Scan(&n); err != nil {
			return wrap(err, "update local user %d", u.ID)
		}
		if n > 0 {
			return s.heldError(ctx, fmt.Sprintf("update local user %q", u.UserID), u.UserID, u.ID, store.ErrConflict)
		}
		return notFound("local user %d", u.ID)
	}
	return nil
}

// DeleteLocalUser removes a local user; directory users are never deleted
// here (they are store.ErrNotFound).
func (s *Store) DeleteLocalUser(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM users WHERE id = $1 AND source = 'local'`, id)
	if err != nil {
		return wrap(err, "delete local user %d", id)
	}
	if tag.RowsAffected() == 0 {
		return notFound("local user %d", id)
	}
	return nil
}

// LastOutcome returns the newest run outcome for a directory user, matched
// by row id or, for the run that created it (whose outcome predates the
// row), by connection and external id. A user without one is
// store.ErrNotFound.
func (s *Store) LastOutcome(ctx context.Context, u store.User) (store.Outcome, error) {
	o, err := scanOutcome(s.pool.QueryRow(ctx, `SELECT `+outcomeColumns+`
		FROM run_outcomes o JOIN runs r ON r.id = o.run_id
		WHERE o.user_row_id = $1 OR ($2 <> '' AND o.external_id = $2 AND r.connection = $3)
		ORDER BY o.id DESC LIMIT 1`, u.ID, u.ExternalID, u.Connection))
	return o, wrap(err, "last outcome of user %d", u.ID)
}

// CountUsers counts users with a status ("" counts all).
func (s *Store) CountUsers(ctx context.Context, status string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE $1 = '' OR status = $1`, status).Scan(&n)
	return n, wrap(err, "count users")
}
