package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/upn"
)

// Errors of Authenticate. They tell an operator exactly what failed; an
// unauthenticated caller must only see PublicAuthError's version.
var (
	ErrUnknownUser          = errors.New("unknown user")
	ErrWrongPassword        = errors.New("wrong password")
	ErrAccountDisabled      = errors.New("account disabled")
	ErrAccountLocked        = errors.New("account locked out")
	ErrDirectoryUnreachable = errors.New("directory unreachable")
	// ErrPlainTextRefused means the user's connection has security none
	// and does not allow user binds over plain LDAP.
	ErrPlainTextRefused = errors.New("refusing to send a user's password over plain LDAP")
	// ErrInvalidCredentials is what PublicAuthError shows for an unknown
	// user or a wrong password, so that a caller cannot probe for names.
	ErrInvalidCredentials = errors.New("invalid user name or password")
	// ErrBadHash means a local user's stored password hash cannot be read.
	ErrBadHash = errors.New("stored password hash unreadable")
)

// PublicAuthError collapses the errors an unauthenticated caller must not
// tell apart (unknown user, wrong password) into ErrInvalidCredentials, and
// passes the others through.
func PublicAuthError(err error) error {
	if errors.Is(err, ErrUnknownUser) || errors.Is(err, ErrWrongPassword) {
		return ErrInvalidCredentials
	}
	return err
}

// Authenticate checks a user's password and returns the user. A local user
// is checked against its password hash. A directory user is checked by
// binding to its directory as that user, over TLS unless the connection
// has security none and allowPlainTextUserBinds. The name may be
// "login@domain", "DOMAIN\login" or a bare "login": the last two are
// normalized to a UPN with each Active Directory connection's domain (the
// NetBIOS name from the connection's netbiosDomain or the directory).
// Only synced, active users can log in (seed 001: a renamed user can log in
// under the new name after the next sync).
func (a *App) Authenticate(ctx context.Context, name, pw string) (store.User, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return store.User{}, fmt.Errorf("auth: %w: empty user name", ErrUnknownUser)
	}
	if pw == "" {
		// An empty password would be an anonymous bind that any server accepts.
		return store.User{}, fmt.Errorf("auth: %q: %w: empty password", name, ErrWrongPassword)
	}
	users, err := a.Store.FindUsers(ctx, name)
	if err != nil {
		return store.User{}, err
	}
	for _, u := range users {
		if u.Source == store.SourceLocal {
			u, err := checkLocal(u, pw)
			if err == nil {
				a.upgradeLocalHash(ctx, u, pw)
			}
			return u, err
		}
	}
	u, c, err := a.findDirectoryUser(ctx, name, users)
	if errors.Is(err, ErrUnknownUser) {
		return u, a.probeUnprovisioned(ctx, name, pw, err)
	}
	if err != nil {
		return u, err
	}
	return u, a.checkDirectory(ctx, c, u, pw)
}

// checkLocal verifies a local user's password, then its status.
func checkLocal(u store.User, pw string) (store.User, error) {
	err := password.Verify(u.PasswordHash, pw)
	switch {
	case errors.Is(err, password.ErrMismatch):
		return u, fmt.Errorf("auth: local user %q: %w", u.UserID, ErrWrongPassword)
	case err != nil:
		return u, fmt.Errorf("auth: local user %q: %w: %w", u.UserID, ErrBadHash, err)
	case u.Status != store.StatusActive:
		return u, fmt.Errorf("auth: local user %q: %w", u.UserID, ErrAccountDisabled)
	}
	return u, nil
}

// findDirectoryUser finds the directory user a name means. A name with '@'
// is a UPN as it is; the other forms need each connection's domain.
func (a *App) findDirectoryUser(ctx context.Context, name string, byName []store.User) (store.User, connection.Connection, error) {
	if strings.Contains(name, "@") {
		if u, ok := pickDirectoryUser(byName, ""); ok {
			c, err := a.connectionWithSecret(ctx, u.Connection)
			return u, c, err
		}
		return store.User{}, connection.Connection{}, fmt.Errorf("auth: %q: %w", name, ErrUnknownUser)
	}
	conns, err := a.Store.ListConnections(ctx)
	if err != nil {
		return store.User{}, connection.Connection{}, err
	}
	var unreachable error
	for _, listed := range conns {
		c, err := a.connectionWithSecret(ctx, listed.Name)
		if err != nil {
			return store.User{}, c, err
		}
		d, err := a.domainOf(ctx, c)
		if err != nil {
			unreachable = errors.Join(unreachable, err)
			continue
		}
		if d.DNSName == "" {
			continue // not Active Directory: only UPNs name its users
		}
		nb := map[string]string{}
		if d.NetBIOS != "" {
			nb[d.NetBIOS] = d.DNSName
		}
		if c.NetBIOSDomain != "" {
			nb[c.NetBIOSDomain] = d.DNSName
		}
		id, err := upn.Normalize(name, d.DNSName, nb)
		if err != nil {
			continue
		}
		users, err := a.Store.FindUsers(ctx, id.String())
		if err != nil {
			return store.User{}, c, err
		}
		if u, ok := pickDirectoryUser(users, c.Name); ok {
			return u, c, nil
		}
	}
	if unreachable != nil {
		return store.User{}, connection.Connection{}, fmt.Errorf("auth: %q: %w: %w", name, ErrDirectoryUnreachable, unreachable)
	}
	return store.User{}, connection.Connection{}, fmt.Errorf("auth: %q: %w", name, ErrUnknownUser)
}

// pickDirectoryUser prefers an active user, of connection conn when set.
func pickDirectoryUser(users []store.User, conn string) (store.User, bool) {
	var found store.User
	ok := false
	for _, u := range users {
		if u.Source != store.SourceDirectory || (conn != "" && u.Connection != conn) {
			continue
		}
		if !ok || u.Status == store.StatusActive {
			found, ok = u, true
		}
	}
	return found, ok
}

// domainOf reads an Active Directory connection's domain names; for
// another kind of directory it returns the zero Domain.
func (a *App) domainOf(ctx context.Context, c connection.Connection) (ldap.Domain, error) {
	conn, err := ldap.Dial(ctx, c)
	if err != nil {
		return ldap.Domain{}, err
	}
	defer conn.Close()
	flavor, _, err := conn.RootDSE(ctx)
	if err != nil || flavor != directory.FlavorActiveDirectory {
		return ldap.Domain{}, err
	}
	return conn.Domain(ctx)
}

// checkDirectory binds as the user's entry (found by its objectGUID, so
// that a mail-fallback userId works too) with the password.
func (a *App) checkDirectory(ctx context.Context, c connection.Connection, u store.User, pw string) error {
	if c.Security == connection.SecurityNone && !c.AllowPlainTextUserBinds {
		return fmt.Errorf("auth: %q: %w: connection %q has security none; use ldaps or startTls, or set allowPlainTextUserBinds", u.UserID, ErrPlainTextRefused, c.Name)
	}
	conn, err := ldap.Dial(ctx, c)
	if err != nil {
		return fmt.Errorf("auth: %q: %w: %w", u.UserID, ErrDirectoryUnreachable, err)
	}
	dn, err := conn.FindByGUID(ctx, c.SearchPath, u.ExternalID)
	conn.Close()
	if err != nil {
		return fmt.Errorf("auth: %q: %w", u.UserID, directoryError(err))
	}
	if dn == "" {
		return fmt.Errorf("auth: %q: %w: no longer in the directory", u.UserID, ErrUnknownUser)
	}
	if err := ldap.Authenticate(ctx, c, dn, pw); err != nil {
		return fmt.Errorf("auth: %q: %w", u.UserID, directoryError(err))
	}
	if u.Status != store.StatusActive {
		return fmt.Errorf("auth: %q: %w in usersync", u.UserID, ErrAccountDisabled)
	}
	return nil
}

// directoryError maps a bind or search failure to Authenticate's errors,
// keeping the directory's own message.
func directoryError(err error) error {
	if err == nil {
		return nil
	}
	var p *ldap.Problem
	if !errors.As(err, &p) {
		return fmt.Errorf("%w: %w", ErrDirectoryUnreachable, err)
	}
	switch {
	case p.Code == ldap.CodeAccountDisabled || p.Code == ldap.CodeAccountExpired:
		return fmt.Errorf("%w: %w", ErrAccountDisabled, err)
	case p.Code == ldap.CodeAccountLockedOut:
		return fmt.Errorf("%w: %w", ErrAccountLocked, err)
	case p.Code == ldap.CodeUserNotFound:
		return fmt.Errorf("%w: %w", ErrUnknownUser, err)
	case p.Kind == ldap.KindCredentials:
		return fmt.Errorf("%w: %w", ErrWrongPassword, err)
	case p.Kind == ldap.KindUnreachable || p.Kind == ldap.KindTLS:
		return fmt.Errorf("%w: %w", ErrDirectoryUnreachable, err)
	}
	return err
}

// probeUnprovisioned explains why a name that is no usersync user cannot log
// in, when its directory knows it: a bind as the normalized UPN tells a
// disabled or locked-out account (which sync never provisioned) from one
// that is merely not synced or out of scope. Anything else stays notFound.
func (a *App) probeUnprovisioned(ctx context.Context, name, pw string, notFound error) error {
	conns, err := a.Store.ListConnections(ctx)
	if err != nil {
		return errors.Join(notFound, err)
	}
	for _, listed := range conns {
		if listed.Security == connection.SecurityNone && !listed.AllowPlainTextUserBinds {
			continue
		}
		c, err := a.connectionWithSecret(ctx, listed.Name)
		if err != nil {
			continue
		}
		d, err := a.domainOf(ctx, c)
		if err != nil || d.DNSName == "" {
			continue
		}
		nb := map[string]string{d.NetBIOS: d.DNSName}
		if c.NetBIOSDomain != "" {
			nb[c.NetBIOSDomain] = d.DNSName
		}
		id, err := upn.Normalize(name, d.DNSName, nb)
		if err != nil {
			continue
		}
		err = directoryError(ldap.Authenticate(ctx, c, id.String(), pw))
		switch {
		case err == nil:
			return fmt.Errorf("%w: %s is in the directory of connection %q but is not a usersync user (not synced yet, or outside the search path and filter)", notFound, id, c.Name)
		case errors.Is(err, ErrAccountDisabled), errors.Is(err, ErrAccountLocked):
			return fmt.Errorf("auth: %q: %w", id.String(), err)
		}
	}
	return notFound
}
