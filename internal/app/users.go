package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// SetUserField records an operator's edit of one field of a user. The next
// run re-evaluates the user: a keepExisting mapping keeps the edit, an
// always mapping overwrites it. userId and status belong to the sync and
// cannot be set this way.
func (a *App) SetUserField(ctx context.Context, id int64, field, value string) (_ store.User, err error) {
	defer func() { a.auditIf(ctx, err, AuditUserSet, fmt.Sprintf("user %d", id), "field "+field) }()
	switch field {
	case "":
		return store.User{}, usagef("a field name is required")
	case mapping.FieldUserID, "status", mapping.TargetCustomFields:
		return store.User{}, usagef("field %q cannot be set by an operator", field)
	}
	field, err = mapping.OperatorField(field, value)
	if err != nil {
		return store.User{}, usagef("%v", err)
	}
	if err := a.Store.SetUserField(ctx, id, field, value); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.User{}, usagef("no user %d (see `usersync users list`)", id)
		}
		return store.User{}, err
	}
	a.Log.Info("user field set by an operator", "user", id, "field", field)
	return a.Store.GetUser(ctx, id)
}
