package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
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
// has security none and allowPlainTextUserBinds. The name is a userId, or,
// on Active Directory, "login@domain" (a UPN), "DOMAIN\login" or a bare
// "login": as on Windows, the last two name the entry whose sAMAccountName
// is login, in the domain whose NetBIOS name (read from the directory, or
// the connection's netbiosDomain) is DOMAIN. Only synced, active users can
// log in (a renamed user can log in under the new name after the next sync).
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
	if u, ok := pickDirectoryUser(users, ""); ok {
		c, err := a.connectionWithSecret(ctx, u.Connection)
		if err != nil {
			return u, err
		}
		return u, a.checkDirectory(ctx, c, u, pw)
	}
	return a.authenticateByLogonName(ctx, name, pw)
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

// checkDirectory binds as the user's entry, found by the connection's
// linking key (objectGUID on Active Directory, entryUUID on OpenLDAP, so
// that a mail-fallback userId works too), with the password.
func (a *App) checkDirectory(ctx context.Context, c connection.Connection, u store.User, pw string) error {
	if store.IsRetiredExternalID(u.ExternalID) {
		return fmt.Errorf("auth: %q: %w: this name was retired (the entry moved to another domain or got a new identity) and names no directory entry now", u.UserID, ErrUnknownUser)
	}
	if c.Security == connection.SecurityNone && !c.AllowPlainTextUserBinds {
		return fmt.Errorf("auth: %q: %w: connection %q has security none; use ldaps or startTls, or set allowPlainTextUserBinds", u.UserID, ErrPlainTextRefused, c.Name)
	}
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return fmt.Errorf("auth: %q: %w: %w", u.UserID, ErrDirectoryUnreachable, err)
	}
	dn, err := findByLinkingKey(ctx, conn, c, u.ExternalID)
	conn.Close()
	if err != nil {
		return fmt.Errorf("auth: %q: %w", u.UserID, directoryError(err))
	}
	if dn == "" {
		return fmt.Errorf("auth: %q: %w: no longer in the directory of connection %q", u.UserID, ErrUnknownUser, c.Name)
	}
	if err := ldap.Authenticate(ctx, ldapConfig(c), dn, pw); err != nil {
		return fmt.Errorf("auth: %q: %w", u.UserID, directoryError(err))
	}
	if u.Status != store.StatusActive {
		return fmt.Errorf("auth: %q: %w in usersync", u.UserID, ErrAccountDisabled)
	}
	return nil
}

// findByLinkingKey finds the DN of the entry under the connection's search
// path whose linking key is ext.
func findByLinkingKey(ctx context.Context, conn *ldap.Conn, c connection.Connection, ext string) (string, error) {
	flavor, _, err := conn.RootDSE(ctx)
	if err != nil {
		return "", err
	}
	return conn.FindByKey(ctx, c.SearchPath, linkingKey(c, flavor), ext)
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
