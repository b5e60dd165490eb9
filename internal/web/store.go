package web

import (
	"context"

	"github.com/usersync/usersync/internal/store"
)

// AuthStore is what the web UI and the API need from the store beyond
// store.Store: administrators, sessions, API tokens, local-user upkeep and a
// user's last outcome. internal/store/sqlite implements it.
type AuthStore interface {
	CreateAdmin(ctx context.Context, a store.Admin) error
	GetAdmin(ctx context.Context, name string) (store.Admin, error)
	CountAdmins(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s store.Session) error
	GetSession(ctx context.Context, idHash string) (store.Session, error)
	DeleteSession(ctx context.Context, idHash string) error

	CreateAPIToken(ctx context.Context, t store.APIToken) (int64, error)
	APITokenByHash(ctx context.Context, hash string) (store.APIToken, error)
	ListAPITokens(ctx context.Context) ([]store.APIToken, error)
	DeleteAPIToken(ctx context.Context, id int64) error

	ListLocalUsers(ctx context.Context) ([]store.User, error)
	UpdateLocalUser(ctx context.Context, u store.User) error
	DeleteLocalUser(ctx context.Context, id int64) error
	LastOutcome(ctx context.Context, u store.User) (store.Outcome, error)
	CountUsers(ctx context.Context, status string) (int, error)
}
