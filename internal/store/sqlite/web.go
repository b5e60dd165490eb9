package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// This file holds the administrators, sessions, API tokens, local-user
// maintenance and last outcomes the web UI and the API read and write.

// CreateAdmin stores a new administrator; an existing name is store.ErrConflict.
func (s *Store) CreateAdmin(ctx context.Context, a store.Admin) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO admins(name, password_hash, created_at, role, disabled) VALUES (?, ?, ?, ?, ?)`,
		a.Name, a.PasswordHash, now(), roleOrAdmin(a.Role), a.Disabled)
	if isConflict(err) {
		return fmt.Errorf("sqlite: admin %q: %w", a.Name, store.ErrConflict)
	}
	if err != nil {
		return wrap(err, "create admin %q", a.Name)
	}
	return nil
}

// GetAdmin returns one administrator.
func (s *Store) GetAdmin(ctx context.Context, name string) (store.Admin, error) {
	var a store.Admin
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT name, password_hash, created_at, role, disabled FROM admins WHERE name = ?`, name).
		Scan(&a.Name, &a.PasswordHash, &created, &a.Role, &a.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("sqlite: admin %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return a, wrap(err, "get admin %q", name)
	}
	a.CreatedAt = parseTime(created)
	return a, nil
}

// CountAdmins returns how many administrators exist.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM admins`).Scan(&n); err != nil {
		return 0, wrap(err, "count admins")
	}
	return n, nil
}

// SetAdminPassword replaces an administrator's password hash; an unknown
// name is store.ErrNotFound.
func (s *Store) SetAdminPassword(ctx context.Context, name, hash string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE admins SET password_hash = ? WHERE name = ?`, hash, name)
	if err != nil {
		return fmt.Errorf("sqlite: set password of admin %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: admin %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// DeleteAdminSessions removes every session of an administrator except
// the one whose hash is keep (none when keep is empty).
func (s *Store) DeleteAdminSessions(ctx context.Context, admin, keep string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE admin = ? AND id_hash <> ?`, admin, keep); err != nil {
		return fmt.Errorf("sqlite: delete sessions of admin %q: %w", admin, err)
	}
	return nil
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, ss store.Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions(id_hash, admin, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		ss.IDHash, ss.Admin, ss.CSRFToken, now(), ss.ExpiresAt.UTC().Format(timeFormat))
	if err != nil {
		return wrap(err, "create session")
	}
	return nil
}

// GetSession returns a session that has not expired; an unknown or expired
// one is store.ErrNotFound (and an expired one is deleted).
func (s *Store) GetSession(ctx context.Context, idHash string) (store.Session, error) {
	var ss store.Session
	var created, expires string
	err := s.db.QueryRowContext(ctx, `SELECT id_hash, admin, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&ss.IDHash, &ss.Admin, &ss.CSRFToken, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, fmt.Errorf("sqlite: session: %w", store.ErrNotFound)
	}
	if err != nil {
		return ss, wrap(err, "get session")
	}
	ss.CreatedAt, ss.ExpiresAt = parseTime(created), parseTime(expires)
	if time.Now().After(ss.ExpiresAt) {
		_ = s.DeleteSession(ctx, idHash)
		return store.Session{}, fmt.Errorf("sqlite: session expired: %w", store.ErrNotFound)
	}
	return ss, nil
}

// DeleteSession removes a session (logout). Removing an unknown one is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return wrap(err, "delete session")
	}
	return nil
}

// CreateAPIToken stores a token's hash under a unique name.
func (s *Store) CreateAPIToken(ctx context.Context, t store.APIToken) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens(name, token_hash, created_by, created_at, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Name, t.Hash, t.CreatedBy, now(), t.Scope, t.ExpiresAt.UTC().Format(timeFormat))
	if isConflict(err) {
		return 0, fmt.Errorf("sqlite: api token %q: %w", t.Name, store.ErrConflict)
	}
	if err != nil {
		return 0, wrap(err, "create api token")
	}
	return res.LastInsertId()
}

const tokenColumns = `id, name, token_hash, created_by, created_at, last_used_at, scope, expires_at`

func scanToken(r scanner) (store.APIToken, error) {
	var t store.APIToken
	var created, expires string
	var used sql.NullString
	if err := r.Scan(&t.ID, &t.Name, &t.Hash, &t.CreatedBy, &created, &used, &t.Scope, &expires); err != nil {
		return t, err
	}
	t.CreatedAt = parseTime(created)
	t.ExpiresAt = parseTime(expires)
	if used.Valid {
		u := parseTime(used.String)
		t.LastUsedAt = &u
	}
	return t, nil
}

// APITokenByHash finds a token by the SHA-256 of its value and records its
// use.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (store.APIToken, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("sqlite: api token: %w", store.ErrNotFound)
	}
	if err != nil {
		return t, wrap(err, "api token")
	}
	_, _ = s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now(), t.ID)
	return t, nil
}

// ListAPITokens returns every token (without its value), oldest first.
func (s *Store) ListAPITokens(ctx context.Context) ([]store.APIToken, error) {
	return queryAll(ctx, s.db, "list api tokens", scanToken, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id`)
}

// DeleteAPIToken revokes a token.
func (s *Store) DeleteAPIToken(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ?`, id)
	if err != nil {
		return wrap(err, "delete api token %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: api token %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// ListLocalUsers returns local users ordered by userId.
func (s *Store) ListLocalUsers(ctx context.Context) ([]store.User, error) {
	return queryAll(ctx, s.db, "list local users", scanUser, `SELECT `+userColumns+` FROM users WHERE source = 'local' ORDER BY lower(user_id), id`)
}

// UpdateLocalUser saves a local user's userId, status, fields and, when
// PasswordHash is not empty, password. Directory users cannot be changed
// here (they are store.ErrNotFound).
func (s *Store) UpdateLocalUser(ctx context.Context, u store.User) error {
	fields, err := json.Marshal(nonNil(u.Fields))
	if err != nil {
		return wrap(err, "update local user")
	}
	key := store.UserIDKey(u.UserID)
	res, err := s.db.ExecContext(ctx, `UPDATE users SET user_id = ?, user_key = ?, status = ?, fields = ?,
		password_hash = CASE WHEN ? = '' THEN password_hash ELSE ? END, updated_at = ?,
		id_clash = CASE WHEN ? = 'active' AND ? = user_key THEN id_clash ELSE 0 END
		WHERE id = ? AND source = 'local' AND (user_key = ? OR NOT EXISTS (
			SELECT 1 FROM users o WHERE o.source = 'local' AND o.user_key = ? AND o.id <> ?))`,
		u.UserID, key, u.Status, string(fields), u.PasswordHash, u.PasswordHash, now(), u.Status, key, u.ID, key, key, u.ID)
	if isConflict(err) {
		return s.heldError(ctx, fmt.Sprintf("update local user %q", u.UserID), u.UserID, u.ID, err)
	}
	if err != nil {
		return wrap(err, "update local user %d", u.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Either no such local user, or another local user holds the
		// userId in another case.
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ? AND source = 'local'`, u.ID).Scan(&n); err != nil {
			return wrap(err, "update local user %d", u.ID)
		}
		if n > 0 {
			return s.heldError(ctx, fmt.Sprintf("update local user %q", u.UserID), u.UserID, u.ID, store.ErrConflict)
		}
		return fmt.Errorf("sqlite: local user %d: %w", u.ID, store.ErrNotFound)
	}
	return nil
}

// DeleteLocalUser removes a local user; directory users are never deleted
// here (they are store.ErrNotFound).
func (s *Store) DeleteLocalUser(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM users WHERE id = ? AND source = 'local'`, id)
	if err != nil {
		return wrap(err, "delete local user %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: local user %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// LastOutcome returns the newest run outcome for a directory user, matched
// by row id or, for the run that created it (whose outcome predates the
// row), by connection and external id. A user without one is
// store.ErrNotFound.
func (s *Store) LastOutcome(ctx context.Context, u store.User) (store.Outcome, error) {
	var o store.Outcome
	var changes, warnings string
	err := s.db.QueryRowContext(ctx, `SELECT o.run_id, o.user_row_id, o.external_id, o.user_id, o.action, o.reason, o.changes, o.warnings
		FROM run_outcomes o JOIN runs r ON r.id = o.run_id
		WHERE o.user_row_id = ? OR (? <> '' AND o.external_id = ? AND r.connection = ?)
		ORDER BY o.id DESC LIMIT 1`, u.ID, u.ExternalID, u.ExternalID, u.Connection).
		Scan(&o.RunID, &o.UserRowID, &o.ExternalID, &o.UserID, &o.Action, &o.Reason, &changes, &warnings)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("sqlite: last outcome of user %d: %w", u.ID, store.ErrNotFound)
	}
	if err != nil {
		return o, wrap(err, "last outcome of user %d", u.ID)
	}
	if changes != "" {
		if err := json.Unmarshal([]byte(changes), &o.Changes); err != nil {
			return o, wrap(err, "outcome changes")
		}
	}
	if warnings != "" {
		if err := json.Unmarshal([]byte(warnings), &o.Warnings); err != nil {
			return o, wrap(err, "outcome warnings")
		}
	}
	return o, nil
}

// CountUsers counts users with a status ("" counts all).
func (s *Store) CountUsers(ctx context.Context, status string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE ? = '' OR status = ?`, status, status).Scan(&n); err != nil {
		return 0, wrap(err, "count users")
	}
	return n, nil
}
