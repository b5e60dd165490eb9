package sqlite

import (
	"context"
	"fmt"

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
	return queryAll(ctx, s.db, "list admins", func(r scanner) (store.Admin, error) {
		var a store.Admin
		var created string
		err := r.Scan(&a.Name, &a.PasswordHash, &created, &a.Role, &a.Disabled)
		a.CreatedAt = parseTime(created)
		return a, err
	}, `SELECT name, password_hash, created_at, role, disabled FROM admins ORDER BY name`)
}

// UpdateAdmin sets an administrator's role and disabled flag. The check
// that another enabled admin remains is part of the UPDATE itself, so two
// administrators demoting each other at once cannot both succeed.
func (s *Store) UpdateAdmin(ctx context.Context, name, role string, disabled bool) error {
	role = roleOrAdmin(role)
	res, err := s.db.ExecContext(ctx, `UPDATE admins SET role = ?, disabled = ?
		WHERE name = ? AND ((? = 'admin' AND ? = 0) OR EXISTS (
			SELECT 1 FROM admins o WHERE o.name <> ? AND o.role = 'admin' AND o.disabled = 0))`,
		role, disabled, name, role, disabled, name)
	if err != nil {
		return wrap(err, "update admin %q", name)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := s.GetAdmin(ctx, name); err != nil {
		return err
	}
	return fmt.Errorf("sqlite: update admin %q: %w", name, store.ErrLastAdmin)
}
