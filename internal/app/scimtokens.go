package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// scimTokenPrefix starts every SCIM token, so that a leaked one is
// recognisable in a scan for secrets.
const scimTokenPrefix = "usscim_"

func hashSCIMToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// scimConnection returns a SCIM connection by name; any other is a usage
// error naming it.
func (a *App) scimConnection(ctx context.Context, name string) (connection.Connection, error) {
	c, _, err := a.Store.GetConnection(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return c, usagef("no connection named %q", name)
	}
	if err != nil {
		return c, err
	}
	if !c.IsSCIM() {
		return c, usagef("connection %q is an %s connection; SCIM tokens belong to \"systemType\": %q connections", name, c.SystemType, connection.SystemSCIM)
	}
	return c, nil
}

// notRead refuses to read a SCIM connection as a directory: there is
// nothing to dial, its client pushes to usersync.
func notRead(c connection.Connection) error {
	if c.IsSCIM() {
		return usagef("connection %q is a SCIM connection: its client (Entra ID, Okta) pushes users to /scim/v2/%s; there is no directory to read or check", c.Name, c.Name)
	}
	return nil
}

// CreateSCIMToken makes a bearer token for a SCIM connection's client and
// returns it: this is the only time it is shown, since only its SHA-256
// is stored.
func (a *App) CreateSCIMToken(ctx context.Context, conn, name, createdBy string) (string, store.SCIMToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", store.SCIMToken{}, fieldErrorf("name", "a SCIM token needs a name of 1 to 100 characters")
	}
	if err := limits.PlainText(name); err != nil {
		return "", store.SCIMToken{}, fieldErrorf("name", "a SCIM token name must be plain text: %v", err)
	}
	if _, err := a.scimConnection(ctx, conn); err != nil {
		return "", store.SCIMToken{}, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", store.SCIMToken{}, fmt.Errorf("scim token: %w", err)
	}
	tok := scimTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	t := store.SCIMToken{Connection: conn, Name: name, Hash: hashSCIMToken(tok), CreatedBy: createdBy}
	id, err := a.Store.CreateSCIMToken(ctx, t)
	if errors.Is(err, store.ErrConflict) {
		return "", t, fieldErrorf("name", "connection %q already has a SCIM token named %q", conn, name)
	}
	if err != nil {
		return "", t, err
	}
	t.ID = id
	a.Log.Info("scim token created", "connection", conn, "name", name, "by", createdBy)
	return tok, t, nil
}

// ListSCIMTokens lists a SCIM connection's tokens (never their values).
func (a *App) ListSCIMTokens(ctx context.Context, conn string) ([]store.SCIMToken, error) {
	if _, err := a.scimConnection(ctx, conn); err != nil {
		return nil, err
	}
	return a.Store.ListSCIMTokens(ctx, conn)
}

// RevokeSCIMToken revokes a token by id or name; the client using it gets
// 401 from its next request on.
func (a *App) RevokeSCIMToken(ctx context.Context, conn, idOrName string) error {
	list, err := a.ListSCIMTokens(ctx, conn)
	if err != nil {
		return err
	}
	for _, t := range list {
		if fmt.Sprint(t.ID) == idOrName || t.Name == idOrName {
			if err := a.Store.DeleteSCIMToken(ctx, conn, t.ID); err != nil {
				return err
			}
			a.Log.Info("scim token revoked", "connection", conn, "name", t.Name)
			return nil
		}
	}
	return usagef("connection %q has no SCIM token %q", conn, idOrName)
}

// authenticateSCIM checks a bearer token against a connection: the token
// is looked up by its hash, the hashes compared again in constant time,
// and it must belong to that connection, which must still be a SCIM one.
func (a *App) authenticateSCIM(ctx context.Context, conn, tok string) (connection.Connection, error) {
	h := hashSCIMToken(tok)
	t, err := a.Store.SCIMTokenByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return connection.Connection{}, scim.ErrUnauthorized
	}
	if err != nil {
		return connection.Connection{}, err
	}
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(h)) != 1 || t.Connection != conn {
		return connection.Connection{}, scim.ErrUnauthorized
	}
	c, _, err := a.Store.GetConnection(ctx, conn)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !c.IsSCIM()) {
		return connection.Connection{}, scim.ErrUnauthorized
	}
	return c, err
}
