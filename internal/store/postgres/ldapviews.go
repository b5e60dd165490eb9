package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// PutLDAPView creates or replaces a view, keeping its creation time.
func (s *Store) PutLDAPView(ctx context.Context, v store.LDAPView) error {
	// The times live in their own columns, not in the document.
	v.CreatedAt, v.UpdatedAt = time.Time{}, time.Time{}
	doc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("postgres: put view %q: %w", v.Name, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO ldap_views(name, document, created_at, updated_at) VALUES ($1, $2, now(), now())
		ON CONFLICT(name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`, v.Name, doc)
	return wrap(err, "put view %q", v.Name)
}

func scanView(r pgx.Row) (store.LDAPView, error) {
	var v store.LDAPView
	var doc []byte
	var created, updated time.Time
	if err := r.Scan(&doc, &created, &updated); err != nil {
		return v, err
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		return v, fmt.Errorf("view document: %w", err)
	}
	v.CreatedAt, v.UpdatedAt = created, updated
	return v, nil
}

// GetLDAPView returns a view by name.
func (s *Store) GetLDAPView(ctx context.Context, name string) (store.LDAPView, error) {
	v, err := scanView(s.pool.QueryRow(ctx, `SELECT document, created_at, updated_at FROM ldap_views WHERE name = $1`, name))
	return v, wrap(err, "view %q", name)
}

// ListLDAPViews returns every view ordered by name.
func (s *Store) ListLDAPViews(ctx context.Context) ([]store.LDAPView, error) {
	return queryAll(ctx, s, "list views", scanView, `SELECT document, created_at, updated_at FROM ldap_views ORDER BY name`)
}

// DeleteLDAPView removes a view; its accounts go with it by cascade.
func (s *Store) DeleteLDAPView(ctx context.Context, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM ldap_views WHERE name = $1`, name)
	if err != nil {
		return wrap(err, "delete view %q", name)
	}
	if tag.RowsAffected() == 0 {
		return notFound("view %q", name)
	}
	return nil
}

// PutLDAPAccount creates or replaces a service account of an existing view.
func (s *Store) PutLDAPAccount(ctx context.Context, a store.LDAPAccount) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO ldap_accounts(view, name, password_hash, created_at)
		SELECT name, $1, $2, now() FROM ldap_views WHERE name = $3
		ON CONFLICT(view, name) DO UPDATE SET password_hash = excluded.password_hash`, a.Name, a.PasswordHash, a.View)
	if err != nil {
		return wrap(err, "put account %q of view %q", a.Name, a.View)
	}
	if tag.RowsAffected() == 0 {
		return notFound("view %q", a.View)
	}
	return nil
}

func scanAccount(r pgx.Row) (store.LDAPAccount, error) {
	var a store.LDAPAccount
	err := r.Scan(&a.View, &a.Name, &a.PasswordHash, &a.CreatedAt)
	return a, err
}

// GetLDAPAccount returns one service account.
func (s *Store) GetLDAPAccount(ctx context.Context, view, name string) (store.LDAPAccount, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, `SELECT view, name, password_hash, created_at FROM ldap_accounts WHERE view = $1 AND name = $2`, view, name))
	return a, wrap(err, "account %q of view %q", name, view)
}

// ListLDAPAccounts returns the accounts of a view, or of every view.
func (s *Store) ListLDAPAccounts(ctx context.Context, view string) ([]store.LDAPAccount, error) {
	return queryAll(ctx, s, "list accounts", scanAccount, `SELECT view, name, password_hash, created_at FROM ldap_accounts
		WHERE $1 = '' OR view = $1 ORDER BY view, name`, view)
}

// DeleteLDAPAccount removes one service account.
func (s *Store) DeleteLDAPAccount(ctx context.Context, view, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM ldap_accounts WHERE view = $1 AND name = $2`, view, name)
	if err != nil {
		return wrap(err, "delete account %q of view %q", name, view)
	}
	if tag.RowsAffected() == 0 {
		return notFound("account %q of view %q", name, view)
	}
	return nil
}

// FindUsersByEmail reads users through the users_email index; the
// expression must stay the index's own for PostgreSQL to use it.
func (s *Store) FindUsersByEmail(ctx context.Context, email string) ([]store.User, error) {
	return s.queryUsers(ctx, fmt.Sprintf("find users by email %q", email),
		`SELECT `+userColumns+` FROM users WHERE lower(fields->>'email') = lower($1) ORDER BY id`, email)
}
