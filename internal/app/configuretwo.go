package app

import (
	"context"
	"errors"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/upn"
)

// storedConnection reads a connection and its sealed password, with a
// usage error naming it when there is none.
func (a *App) storedConnection(ctx context.Context, name string) (connection.Connection, string, error) {
	c, sealed, err := a.Store.GetConnection(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return c, "", usagef("no connection named %q (see `usersync connection list`)", name)
	}
	return c, sealed, err
}

// ConfigureTwo returns a connection's stored configureTwo document exactly
// as it was saved, or, when none was, the document the panel starts from:
// both toggles off.
func (a *App) ConfigureTwo(ctx context.Context, name string) (string, error) {
	c, _, err := a.storedConnection(ctx, name)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(c.ConfigureTwo) == "" {
		return upn.Default().Marshal(), nil
	}
	return c.ConfigureTwo, nil
}

// SetConfigureTwo replaces a connection's configureTwo document with doc
// and stores the connection through PutConnection, the one path every
// configureTwo document takes (connection apply, the API, the Edit Directory
// form): the rules and the messages are the same whichever path is used.
func (a *App) SetConfigureTwo(ctx context.Context, name string, doc []byte) (_ connection.Connection, err error) {
	defer func() { a.auditIf(ctx, err, AuditConfigureTwo, "connection "+name, "") }()
	c, _, err := a.storedConnection(ctx, name)
	if err != nil {
		return c, err
	}
	c.ConfigureTwo = string(doc)
	stored, _, err := a.PutConnection(ctx, c)
	return stored, err
}
