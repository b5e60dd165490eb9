package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// PutLDAPView creates or replaces a view, keeping its creation time.
func (s *Store) PutLDAPView(ctx context.Context, v store.LDAPView) error {
	// The times live in their own columns, not in the document.
	v.CreatedAt, v.UpdatedAt = time.Time{}, time.Time{}
	doc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("sqlite: put view %q: %w", v.Name, err)
	}
	t := now()
	_, err = s.db.ExecContext(ctx, `INSERT INTO ldap_views(name, document, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`, v.Name, string(doc), t, t)
	return wrap(err, "put view %q", v.Name)
}

func scanView(r scanner) (store.LDAPView, error) {
	var v store.LDAPView
	var doc, created, updated string
	if err := r.Scan(&doc, &created, &updated); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return v, fmt.Errorf("view document: %w", err)
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return v, nil
}

// GetLDAPView returns a view by name.
func (s *Store) GetLDAPView(ctx context.Context, name string) (store.LDAPView, error) {
	v, err := scanView(s.db.QueryRowContext(ctx, `SELECT document, created_at, updated_at FROM ldap_views WHERE name = ?`, name))
	return v, wrap(err, "view %q", name)
}

// ListLDAPViews returns every view ordered by name.
func (s *Store) ListLDAPViews(ctx context.Context) ([]store.LDAPView, error) {
	return queryAll(ctx, s.db, "list views", scanView, `SELECT document, created_at, updated_at FROM ldap_views ORDER BY name`)
}

// DeleteLDAPView removes a view; its accounts go with it by cascade.
func (s *Store) DeleteLDAPView(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM ldap_views WHERE name = ?`, name)
	if err != nil {
		return wrap(err, "delete view %q", name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: view %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// PutLDAPAccount creates or replaces a service account of an existing view.
func (s *Store) PutLDAPAccount(ctx context.Context, a store.LDAPAccount) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO ldap_accounts(view, name, password_hash, created_at)
		SELECT name, ?, ?, ? FROM ldap_views WHERE name = ?
		ON CONFLICT(view, name) DO UPDATE SET password_hash = excluded.password_hash`, a.Name, a.PasswordHash, now(), a.View)
	if err != nil {
		return wrap(err, "put account %q of view %q", a.Name, a.View)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: view %q: %w", a.View, store.ErrNotFound)
	}
	return nil
}

func scanAccount(r scanner) (store.LDAPAccount, error) {
	var a store.LDAPAccount
	var created string
	err := r.Scan(&a.View, &a.Name, &a.PasswordHash, &created)
	a.CreatedAt = parseTime(created)
	return a, err
}

// GetLDAPAccount returns one service account.
func (s *Store) GetLDAPAccount(ctx context.Context, view, name string) (store.LDAPAccount, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, `SELECT view, name, password_hash, created_at FROM ldap_accounts WHERE view = ? AND name = ?`, view, name))
	return a, wrap(err, "account %q of view %q", name, view)
}

// ListLDAPAccounts returns the accounts of a view, or of every view.
func (s *Store) ListLDAPAccounts(ctx context.Context, view string) ([]store.LDAPAccount, error) {
	return queryAll(ctx, s.db, "list accounts", scanAccount, `SELECT view, name, password_hash, created_at FROM ldap_accounts
		WHERE ? = '' OR view = ? ORDER BY view, name`, view, view)
}

// DeleteLDAPAccount removes one service account.
func (s *Store) DeleteLDAPAccount(ctx context.Context, view, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM ldap_accounts WHERE view = ? AND name = ?`, view, name)
	if err != nil {
		return wrap(err, "delete account %q of view %q", name, view)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: account %q of view %q: %w", name, view, store.ErrNotFound)
	}
	return nil
}

// FindUsersByEmail reads users through the users_email index; the
// expression must stay the index's own for SQLite to use it.
func (s *Store) FindUsersByEmail(ctx context.Context, email string) ([]store.User, error) {
	return queryAll(ctx, s.db, fmt.Sprintf("find users by email %q", email), scanUser,
		`SELECT `+userColumns+` FROM users WHERE lower(json_extract(fields, '$.email')) = lower(?) ORDER BY id`, email)
}
