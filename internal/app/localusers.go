package app

import (
	"context"
	"errors"
	"strings"

	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
)

// LocalUser is what AddLocalUser needs to create a local user.
type LocalUser struct {
	UserID      string
	DisplayName string
	Email       string
	Password    string
}

// AddLocalUser creates a local user (seed 001): an account of usersync
// itself, with an argon2id password hash, that sync never modifies. A
// directory user with the same userId stays a separate account: sync
// reports the conflict instead of merging. A userId another local user or
// an active directory user holds is refused, naming the holder.
func (a *App) AddLocalUser(ctx context.Context, lu LocalUser) (store.User, error) {
	lu.UserID = strings.TrimSpace(lu.UserID)
	if lu.UserID == "" {
		return store.User{}, usagef("a local user needs a USERID")
	}
	hash, err := password.Hash(lu.Password)
	if errors.Is(err, password.ErrTooShort) {
		return store.User{}, usagef("%v", err)
	}
	if err != nil {
		return store.User{}, err
	}
	fields := map[string]string{}
	if lu.DisplayName != "" {
		fields[store.FieldDisplayName] = lu.DisplayName
	}
	if lu.Email != "" {
		fields[store.FieldEmail] = lu.Email
	}
	u := store.User{UserID: lu.UserID, Status: store.StatusActive, Source: store.SourceLocal, Fields: fields, PasswordHash: hash}
	id, err := a.Store.CreateLocalUser(ctx, u)
	var held *store.HeldError
	if errors.As(err, &held) {
		return u, usagef("userId: %v", held)
	}
	if errors.Is(err, store.ErrConflict) {
		return u, usagef("userId: a local user %q already exists", lu.UserID)
	}
	if err != nil {
		return u, err
	}
	a.Log.Info("local user added", "userId", lu.UserID, "id", id)
	return a.Store.GetUser(ctx, id)
}
