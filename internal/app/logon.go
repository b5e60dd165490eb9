package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/store"
)

// logonEntry is an Active Directory entry a logon name names, in the
// directory of one source connection.
type logonEntry struct {
	conn           connection.Connection
	dn, ext        string
	upn, mail, sam string
}

// logonFilter turns a logon name into the filter that finds its entry:
// "login@domain" by userPrincipalName; "DOMAIN\login" and a bare "login" by
// sAMAccountName. domain is the NetBIOS domain the name requires, or "".
func logonFilter(name string) (filter, domain string) {
	if strings.Contains(name, "@") {
		return "(&(objectClass=user)(userPrincipalName=" + ldapv3.EscapeFilter(name) + "))", ""
	}
	login := name
	if d, l, ok := strings.Cut(name, `\`); ok {
		domain, login = d, l
	}
	return "(&(objectClass=user)(sAMAccountName=" + ldapv3.EscapeFilter(login) + "))", domain
}

// authenticateByLogonName authenticates a name that is no userId in the
// store: it finds the entry the name names in each Active Directory source
// connection, and the usersync user linked to that entry. Relying parties
// are not asked: they never sync users.
func (a *App) authenticateByLogonName(ctx context.Context, name, pw string) (store.User, error) {
	entries, unreachable, err := a.findLogonEntries(ctx, name)
	if err != nil {
		return store.User{}, err
	}
	for _, e := range entries {
		u, ok, err := a.logonUser(ctx, e, e.conn.Name)
		if err != nil {
			return u, err
		}
		if ok {
			return u, a.checkDirectory(ctx, e.conn, u, pw)
		}
	}
	if len(entries) == 0 {
		if unreachable != nil {
			return store.User{}, fmt.Errorf("auth: %q: %w: %w", name, ErrDirectoryUnreachable, unreachable)
		}
		return store.User{}, fmt.Errorf("auth: %q: %w", name, ErrUnknownUser)
	}
	return store.User{}, a.explainUnsynced(ctx, name, pw, entries)
}

// findLogonEntries asks every Active Directory source connection for the
// entry name names under its search path. Connections that cannot be reached
// are joined in unreachable.
func (a *App) findLogonEntries(ctx context.Context, name string) (entries []logonEntry, unreachable error, err error) {
	conns, err := a.Store.ListConnections(ctx)
	if err != nil {
		return nil, nil, err
	}
	filter, domain := logonFilter(name)
	for _, listed := range conns {
		if listed.DirectoryType == connection.DirectoryRelyingParty {
			continue
		}
		c, err := a.connectionWithSecret(ctx, listed.Name)
		if err != nil {
			return nil, nil, err
		}
		found, err := searchLogon(ctx, c, filter, domain)
		if err != nil {
			unreachable = errors.Join(unreachable, fmt.Errorf("connection %q: %w", c.Name, err))
			continue
		}
		entries = append(entries, found...)
	}
	return entries, unreachable, nil
}

// searchLogon finds the entries filter selects under the connection's
// search path, when the connection is Active Directory and, for a
// DOMAIN\login name, its NetBIOS domain is domain.
func searchLogon(ctx context.Context, c connection.Connection, filter, domain string) ([]logonEntry, error) {
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	flavor, _, err := conn.RootDSE(ctx)
	if err != nil || flavor != directory.FlavorActiveDirectory {
		return nil, err // only Active Directory knows logon names; others log in by userId
	}
	if domain != "" {
		d, err := conn.Domain(ctx)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(domain, d.NetBIOS) && !strings.EqualFold(domain, c.NetBIOSDomain) {
			return nil, nil
		}
	}
	key := linkingKey(c, flavor)
	var out []logonEntry
	q := directory.Query{BaseDN: c.SearchPath, Filter: filter, Attributes: []string{key, "userPrincipalName", "mail", "sAMAccountName"}}
	err = conn.Search(ctx, q, func(e *directory.Entry) error {
		out = append(out, logonEntry{conn: c, dn: e.DN, ext: e.Get(key), upn: e.Get("userPrincipalName"), mail: e.Get("mail"), sam: e.Get("sAMAccountName")})
		return nil
	})
	return out, err
}

// logonUser finds the directory user linked to the entry, among the users
// whose userId is the entry's UPN or mail, of connection conn ("" for any).
func (a *App) logonUser(ctx context.Context, e logonEntry, conn string) (store.User, bool, error) {
	var found store.User
	ok := false
	for _, id := range []string{e.upn, e.mail} {
		if id == "" {
			continue
		}
		users, err := a.Store.FindUsers(ctx, id)
		if err != nil {
			return store.User{}, false, err
		}
		for _, u := range users {
			if u.Source != store.SourceDirectory || (conn != "" && u.Connection != conn) || !strings.EqualFold(u.ExternalID, e.ext) {
				continue
			}
			if !ok || u.Status == store.StatusActive {
				found, ok = u, true
			}
		}
	}
	return found, ok, nil
}

// explainUnsynced says why a name whose entries no usersync user is linked
// to cannot log in. A bind as the entry tells a disabled or locked-out
// account (which sync never provisioned) from one that is merely not synced
// or out of scope; a wrong password says no more than "unknown user".
func (a *App) explainUnsynced(ctx context.Context, name, pw string, entries []logonEntry) error {
	notFound := fmt.Errorf("auth: %q: %w", name, ErrUnknownUser)
	for _, e := range entries {
		c := e.conn
		if c.Security == connection.SecurityNone && !c.AllowPlainTextUserBinds {
			continue
		}
		err := directoryError(ldap.Authenticate(ctx, ldapConfig(c), e.dn, pw))
		switch {
		case err == nil:
			if u, ok, lerr := a.logonUser(ctx, e, ""); lerr == nil && ok {
				return fmt.Errorf("%w: %s is usersync user %q of connection %q, but connection %q does not link it to its entry %s", notFound, name, u.UserID, u.Connection, c.Name, e.dn)
			}
			return fmt.Errorf("%w: %s is in the directory of connection %q but is not a usersync user (not synced yet, or outside the search path and filter)", notFound, name, c.Name)
		case errors.Is(err, ErrAccountDisabled), errors.Is(err, ErrAccountLocked):
			return fmt.Errorf("auth: %q: %w", name, err)
		}
	}
	return notFound
}
