package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// ApplyConnection creates or updates a connection from a JSON document. A
// document without a password keeps the stored one, so that a connection
// file need not carry the secret after the first apply, but only while the
// connection keeps pointing at the same server (connection.KeepCredential).
func (a *App) ApplyConnection(ctx context.Context, doc []byte) (connection.Connection, bool, error) {
	c, err := connection.Parse(doc)
	if err != nil {
		return c, false, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return a.PutConnection(ctx, c)
}

// PutConnection validates and stores a connection value; see
// ApplyConnection for the password rule. Every path that saves a connection
// or its configureTwo document ends here. The configureTwo document is
// stored byte for byte as the administrator wrote it, but for surrounding
// white space: it is validated, never re-marshalled, so that the worked
// examples and any hand-written document read back exactly.
func (a *App) PutConnection(ctx context.Context, c connection.Connection) (_ connection.Connection, created bool, err error) {
	defer func() {
		action := AuditConnectionUpdate
		if created {
			action = AuditConnectionCreate
		}
		a.auditIf(ctx, err, action, "connection "+c.Name, "")
	}()
	c.ApplyDefaults()
	c.ConfigureTwo = strings.TrimSpace(c.ConfigureTwo)
	if err := c.Validate(); err != nil {
		return c, false, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if err := c.CheckIntervalFloor(a.MinIntervalFloor()); err != nil {
		return c, false, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	old, sealed, err := a.Store.GetConnection(ctx, c.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		created = true
	case err != nil:
		return c, false, err
	}
	credField := "password"
	if c.SystemType == connection.SystemEntra {
		credField = "clientSecret" // or certificate: both are sealed as one credential
	}
	if c.IsPushTarget() {
		credField = "token" // or clientSecret: both are sealed as one credential
	}
	if err := connection.KeepCredential(old, c, credField, c.Password != "", sealed != ""); err != nil {
		return c, false, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if a.ForbidInsecure {
		probe := c
		probe.HasPassword = sealed != ""
		if err := probe.ForbidInsecure(); err != nil {
			return c, false, fmt.Errorf("%w: %w", ErrUsage, err)
		}
	}
	if c.Password != "" {
		if err := a.sealCheck(ctx); err != nil {
			return c, false, err
		}
		if sealed, err = a.Box.Seal(c.Password); err != nil {
			return c, false, err
		}
	}
	if err := a.Store.PutConnection(ctx, c, sealed); err != nil {
		return c, false, err
	}
	a.Log.Info("connection applied", "connection", c.Name, "created", created)
	c.Password = ""
	c.HasPassword = sealed != ""
	return c, created, nil
}

// connectionWithSecret returns a stored connection with its password opened,
// for dialing; under ForbidInsecure an insecure connection is refused here,
// before anything dials. It never leaves this package's callers that talk to a
// directory.
func (a *App) connectionWithSecret(ctx context.Context, name string) (connection.Connection, error) {
	c, sealed, err := a.Store.GetConnection(ctx, name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return c, fmt.Errorf("%w: no connection named %q (see `usersync connection list`)", ErrUsage, name)
		}
		return c, err
	}
	if c.Password, err = a.Box.Open(sealed); err != nil {
		return c, fmt.Errorf("connection %q: %w", name, err)
	}
	if a.ForbidInsecure {
		if err := c.ForbidInsecure(); err != nil {
			return c, fmt.Errorf("%w: connection %q: %w", ErrUsage, name, err)
		}
	}
	return c, nil
}

// CheckConnection verifies that a connection works: the system is
// connected and operational, and a relying party may write what it must.
func (a *App) CheckConnection(ctx context.Context, name string) (_ *ldap.CheckResult, err error) {
	defer func() { a.Audit(ctx, AuditConnectionCheck, "connection "+name, outcomeWord(err)) }()
	c, err := a.connectionWithSecret(ctx, name)
	if err != nil {
		return nil, err
	}
	if c.IsPushTarget() {
		return checkPush(ctx, c)
	}
	if c.SystemType == connection.SystemEntra {
		return checkEntra(ctx, c)
	}
	if err := notRead(c); err != nil {
		return nil, err
	}
	cfg := ldapConfig(c)
	if cfg.MustWrite, err = mustWrite(c); err != nil {
		return nil, err
	}
	return ldap.Check(ctx, cfg)
}

// mustWrite lists what a relying party writes to its directory: the
// certificate mappings in altSecurityIdentities and, when the Advanced UPN
// Sync Settings turn it on, the UPN target attribute. A source writes
// nothing.
func mustWrite(c connection.Connection) ([]ldap.WriteCheck, error) {
	if c.DirectoryType != connection.DirectoryRelyingParty {
		return nil, nil
	}
	out := []ldap.WriteCheck{{Attribute: "altSecurityIdentities", Field: "username"}}
	settings, err := c.UPNSettings()
	if err != nil {
		return nil, fmt.Errorf("%w: connection %q: %w", ErrUsage, c.Name, err)
	}
	if s := settings.SyncUpnToAdAttribute; s.Enabled && !strings.EqualFold(s.TargetAttribute, "altSecurityIdentities") {
		out = append(out, ldap.WriteCheck{Attribute: s.TargetAttribute, Field: "configureTwo.syncUpnToAdAttribute.targetAttribute"})
	}
	return out, nil
}

// ldapConfig is the part of a connection the LDAP driver needs to dial,
// bind and search.
func ldapConfig(c connection.Connection) ldap.Config {
	return ldap.Config{
		DNSName: c.DNSName, Port: c.Port, Security: c.Security,
		CACertificate: c.CACertificate, TLSSkipVerify: c.TLSSkipVerify,
		Username: c.Username, Password: c.Password,
		SearchPath: c.SearchPath, SearchFilter: c.SearchFilter, PageSize: c.PageSize,
		TimeoutSeconds: c.TimeoutSeconds,
	}
}

// linkingKey is the attribute that links the connection's users to their
// entries: its linkingKey, or the flavor's immutable identifier.
func linkingKey(c connection.Connection, f directory.Flavor) string {
	if c.LinkingKey != "" {
		return c.LinkingKey
	}
	return mapping.DefaultLinkingKey(f)
}
