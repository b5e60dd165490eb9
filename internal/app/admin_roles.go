package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
)

// ErrAdminDisabled is a login or a token of a disabled administrator.
var ErrAdminDisabled = errors.New("administrator disabled")

// Login checks an administrator's password for a new session and records
// the login, or the failed attempt, in the audit log. A disabled
// administrator is refused as if the password were wrong, so that a login
// form does not tell who exists.
func (a *App) Login(ctx context.Context, name, pw, from string) (store.Admin, error) {
	ad, err := a.CheckAdmin(ctx, name, pw)
	if err == nil && ad.Disabled {
		err = fmt.Errorf("auth: administrator %q: %w: %w", name, ErrWrongPassword, ErrAdminDisabled)
	}
	if err != nil {
		a.auditAs(ctx, name, AuditLoginFailed, "", "from "+from)
		return store.Admin{}, err
	}
	a.auditAs(ctx, ad.Name, AuditLogin, "", "from "+from)
	return ad, nil
}

// NewAdmin is an administrator to create.
type NewAdmin struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// CreateAdmin adds an administrator with a role (empty means operator, the
// lesser one) and a password that obeys the password policy. Every problem
// is reported at once, each naming its field.
func (a *App) CreateAdmin(ctx context.Context, n NewAdmin) (store.Admin, error) {
	n.Name = strings.TrimSpace(n.Name)
	if n.Role == "" {
		n.Role = store.RoleOperator
	}
	var probs []error
	if n.Name == "" || len(n.Name) > 64 {
		probs = append(probs, &FieldError{Field: "name", Msg: "name: an administrator needs a name of 1 to 64 characters"})
	} else if err := limits.PlainText(n.Name); err != nil || strings.ContainsAny(n.Name, " :") {
		probs = append(probs, &FieldError{Field: "name", Msg: "name: a name is plain text without spaces or colons"})
	}
	if !store.ValidRole(n.Role) {
		probs = append(probs, &FieldError{Field: "role", Msg: fmt.Sprintf("role: must be %q or %q, got %q", store.RoleAdmin, store.RoleOperator, n.Role)})
	}
	hash, err := password.Hash(n.Password)
	if err != nil {
		probs = append(probs, &FieldError{Field: "password", Msg: "password: " + err.Error(), Err: err})
	}
	if len(probs) > 0 {
		return store.Admin{}, joinFieldErrors(probs)
	}
	ad := store.Admin{Name: n.Name, Role: n.Role, PasswordHash: hash}
	if err := a.Store.CreateAdmin(ctx, ad); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Admin{}, &FieldError{Field: "name", Msg: fmt.Sprintf("name: an administrator named %q already exists", n.Name), Err: err}
		}
		return store.Admin{}, err
	}
	a.Audit(ctx, AuditAdminCreate, "admin "+n.Name, "role "+n.Role)
	return a.Store.GetAdmin(ctx, n.Name)
}

// UpdateAdmin changes an administrator's role or disables (or enables)
// them. Disabling ends their sessions at once. The last enabled
// administrator with the admin role can be neither demoted nor disabled.
func (a *App) UpdateAdmin(ctx context.Context, name, role string, disabled bool) (store.Admin, error) {
	if !store.ValidRole(role) {
		return store.Admin{}, &FieldError{Field: "role", Msg: fmt.Sprintf("role: must be %q or %q, got %q", store.RoleAdmin, store.RoleOperator, role)}
	}
	before, err := a.Store.GetAdmin(ctx, name)
	if err != nil {
		return store.Admin{}, err
	}
	if err := a.Store.UpdateAdmin(ctx, name, role, disabled); err != nil {
		if errors.Is(err, store.ErrLastAdmin) {
			field := "role"
			if disabled {
				field = "disabled"
			}
			return store.Admin{}, &FieldError{Field: field, Msg: fmt.Sprintf("%s: %q is the last enabled administrator with the admin role; give another administrator that role first", field, name), Err: err}
		}
		return store.Admin{}, err
	}
	if disabled {
		if st, err := a.adminStore(); err == nil {
			if err := st.DeleteAdminSessions(ctx, name, ""); err != nil {
				return store.Admin{}, err
			}
		}
	}
	a.Audit(ctx, AuditAdminUpdate, "admin "+name, adminChange(before, role, disabled))
	return a.Store.GetAdmin(ctx, name)
}

// adminChange says in words what UpdateAdmin changed.
func adminChange(before store.Admin, role string, disabled bool) string {
	var parts []string
	if before.Role != role {
		parts = append(parts, "role "+before.Role+" → "+role)
	}
	switch {
	case disabled && !before.Disabled:
		parts = append(parts, "disabled")
	case !disabled && before.Disabled:
		parts = append(parts, "enabled")
	}
	if len(parts) == 0 {
		return "unchanged"
	}
	return strings.Join(parts, ", ")
}

// ListAdmins returns every administrator (their password hashes cleared).
func (a *App) ListAdmins(ctx context.Context) ([]store.Admin, error) {
	list, err := a.Store.ListAdmins(ctx)
	for i := range list {
		list[i].PasswordHash = ""
	}
	return list, err
}

// joinFieldErrors reports several field problems as one error whose
// first FieldError names the field, and whose text lists them all.
func joinFieldErrors(probs []error) error {
	if len(probs) == 1 {
		return probs[0]
	}
	var first *FieldError
	errors.As(probs[0], &first)
	msgs := make([]string, len(probs))
	for i, p := range probs {
		msgs[i] = p.Error()
	}
	return &FieldError{Field: first.Field, Msg: strings.Join(msgs, "; "), Err: errors.Join(probs...)}
}
