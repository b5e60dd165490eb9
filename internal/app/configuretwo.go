package app

import (
	"context"
	"errors"
	"fmt"
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
// as it was saved, or, when none was, the document the panel starts from
// (seed 000, Example 1).
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

// SetConfigureTwo validates doc and stores it, byte for byte but for
// surrounding white space, as the connection's configureTwo document. Every
// problem is reported at once, each named
// "configureTwo.<path>", and nothing is stored then.
func (a *App) SetConfigureTwo(ctx context.Context, name string, doc []byte) (connection.Connection, error) {
	c, sealed, err := a.storedConnection(ctx, name)
	if err != nil {
		return c, err
	}
	if c.DirectoryType != connection.DirectoryRelyingParty {
		return c, usagef("connection %q is a %s connection; the Advanced UPN Sync Settings (configureTwo) apply to relying parties only", name, c.DirectoryType)
	}
	c.ConfigureTwo = strings.TrimSpace(string(doc))
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if err := a.Store.PutConnection(ctx, c, sealed); err != nil {
		return c, err
	}
	a.Log.Info("configureTwo saved", "connection", name)
	return c, nil
}
