package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// roleOrAdmin stores an empty role as the admin role, which is what every
// administrator was before roles existed.
func roleOrAdmin(role string) string {
	if role == "" {
		return store.RoleAdmin
	}
	return role
}

// ListAdmins returns every administrator, by name.
func (s *Store) ListAdmins(ctx context.Context) ([]store.Admin, error) {
	return queryAll(ctx, s, "list admins", func(r pgx.Row) (store.Admin, error) {
		var a store.Admin
		err := r.Scan(&a.Name, &a.PasswordHash, &a.CreatedAt, &a.Role, &a.Disabled)
		return a, err
	}, `SELECT name, password_hash, created_at, role, disabled FROM admins ORDER BY name COLLATE "C"`)
}

// UpdateAdmin sets an administrator's role and disabled flag. The check
// that another enabled admin remains runs under a lock on every admin row,
// so two administrators demoting each other at once cannot both succeed.
func (s *Store) UpdateAdmin(ctx context.Context, name, role string, disabled bool) error {
	role = roleOrAdmin(role)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap(err, "update admin %q", name)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT name FROM admins ORDER BY name FOR UPDATE`); err != nil {
		return wrap(err, "update admin %q", name)
	}
	tag, err := tx.Exec(ctx, `UPDATE admins SET role = $2, disabled = $3
		WHERE name = $1 AND (($2 = 'admin' AND NOT $3) OR EXISTS (
			SELECT 1 FROM admins o WHERE o.name <> $1 AND o.role = 'admin' AND NOT o.disabled))`,
		name, role, disabled)
	if err != nil {
		return wrap(err, "update admin %q", name)
	}
	if tag.RowsAffected() == 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM admins WHERE name = $1`, name).Scan(&n); err != nil {
			return wrap(err, "update admin %q", name)
		}
		if n == 0 {
			return notFound("admin %q", name)
		}
		return fmt.Errorf("postgres: update admin %q: %w", name, store.ErrLastAdmin)
	}
	return wrap(tx.Commit(ctx), "update admin %q", name)
}
