package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/store"
)

// checkKind refuses a kind that is not one of store.Kinds.
func checkKind(kind string) error {
	if !slices.Contains(store.Kinds, kind) {
		return fieldErrorf("kind", "kind must be one of %s", strings.Join(store.Kinds, ", "))
	}
	return nil
}

// checkEntityName refuses an empty name and one that starts or ends with
// blanks.
func checkEntityName(name string) error {
	if name == "" || strings.TrimSpace(name) != name {
		return fieldErrorf("name", "a name must not be empty or start or end with blanks, got %q", name)
	}
	return nil
}

// checkNewEntityName is checkEntityName for a name about to be stored: it
// must also pass limits.Name (at most 256 bytes of valid UTF-8 without
// control or bidirectional formatting characters). Entities stored before,
// or named by a directory's groups, stay usable.
func checkNewEntityName(name string) error {
	if err := limits.Name(name); err != nil {
		return fieldErrorf("name", "a name must be plain text of at most %d bytes: %v", limits.MaxName, err)
	}
	return checkEntityName(name)
}

// ListEntities returns the permission sets, groups or sites (by kind; an
// empty kind: all of them), never nil.
func (a *App) ListEntities(ctx context.Context, kind string) ([]store.Entity, error) {
	if kind != "" {
		if err := checkKind(kind); err != nil {
			return nil, err
		}
	}
	list, err := a.Store.ListEntities(ctx, kind)
	if list == nil {
		list = []store.Entity{}
	}
	return list, err
}

// CreateEntity adds a permission set, group or site. A name already taken
// is store.ErrConflict.
func (a *App) CreateEntity(ctx context.Context, kind, name string) (_ store.Entity, err error) {
	defer func() { a.auditIf(ctx, err, AuditEntityCreate, kind+" "+name, "") }()
	if err := checkKind(kind); err != nil {
		return store.Entity{}, err
	}
	if err := checkNewEntityName(name); err != nil {
		return store.Entity{}, err
	}
	ent, err := a.Store.CreateEntity(ctx, kind, name)
	if err != nil {
		return store.Entity{}, fmt.Errorf("create %s %q: %w", kind, name, err)
	}
	return ent, nil
}

// DeleteEntity removes an entity and every membership in it. An unknown
// one is store.ErrNotFound.
func (a *App) DeleteEntity(ctx context.Context, kind, name string) (err error) {
	defer func() { a.auditIf(ctx, err, AuditEntityDelete, kind+" "+name, "") }()
	if err := checkKind(kind); err != nil {
		return err
	}
	if err := a.Store.DeleteEntity(ctx, kind, name); err != nil {
		return fmt.Errorf("delete %s %q: %w", kind, name, err)
	}
	return nil
}

// SetManualMembership assigns (assign true) or unassigns a user's manual
// membership in an entity. Sync never removes a manual membership, and
// unassigning one leaves the memberships group rules manage alone. An
// unknown user or entity is store.ErrNotFound.
func (a *App) SetManualMembership(ctx context.Context, userRowID int64, kind, name string, assign bool) (err error) {
	defer func() {
		action := AuditUserUnassign
		if assign {
			action = AuditUserAssign
		}
		a.auditIf(ctx, err, action, fmt.Sprintf("user %d", userRowID), kind+" "+name)
	}()
	if err := checkKind(kind); err != nil {
		return err
	}
	if err := checkEntityName(name); err != nil {
		return err
	}
	if _, err := a.Store.GetUser(ctx, userRowID); err != nil {
		return err
	}
	if assign {
		err = a.Store.AddMembership(ctx, userRowID, kind, name, store.SourceManual)
	} else {
		err = a.Store.RemoveMembership(ctx, userRowID, kind, name, store.SourceManual)
	}
	if err != nil {
		return fmt.Errorf("user %d, %s %q: %w", userRowID, kind, name, err)
	}
	return nil
}

// UserMemberships returns a user's memberships from every source, never
// nil.
func (a *App) UserMemberships(ctx context.Context, userRowID int64) ([]store.Membership, error) {
	ms, err := a.Store.UserMemberships(ctx, userRowID)
	if ms == nil {
		ms = []store.Membership{}
	}
	return ms, err
}
