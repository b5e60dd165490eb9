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

// logonEntry is the entry a logon name names, in the directory of one
// source connection.
type logonEntry struct {
	conn           connection.Connection
	dn, ext        string
	upn, mail, sam string
	uid            string
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
// store: it finds the entry the name names in each source connection (by
// sAMAccountName or UPN on Active Directory, by uid elsewhere), and the
// usersync user linked to that entry. Relying parties
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

// findLogonEntries asks every source connection for the entry name names
// under its search path. Connections that cannot be reached
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
		found, err := searchLogon(ctx, c, name, filter, domain)
		if err != nil {
			unreachable = errors.Join(unreachable, fmt.Errorf("connection %q: %w", c.Name, err))
			continue
		}
		entries = append(entries, found...)
	}
	return entries, unreachable, nil
}

// uidLogonFilter finds the entry whose uid is name: what a login means on
// a directory that is not Active Directory (OpenLDAP and other RFC 2307
// or inetOrgPerson directories), even when the uid is shaped like an
// address. A DOMAIN\login name means nothing there and finds nobody.
func uidLogonFilter(name string) string {
	if strings.Contains(name, `\`) {
		return ""
	}
	return "(uid=" + ldapv3.EscapeFilter(name) + ")"
}

// searchLogon finds the entry a logon name names under the connection's
// search path. On Active Directory that is the entry filter selects, when,
// for a DOMAIN\login name, the directory's NetBIOS domain is domain; on
// any other directory it is the entry whose uid is name.
func searchLogon(ctx context.Context, c connection.Connection, name, filter, domain string) ([]logonEntry, error) {
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	flavor, _, err := conn.RootDSE(ctx)
	if err != nil {
		return nil, err
	}
	if flavor != directory.FlavorActiveDirectory {
		return searchUIDLogon(ctx, conn, c, flavor, name)
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

// searchUIDLogon finds the entries whose uid is name under the
// connection's search path, on a directory that is not Active Directory.
func searchUIDLogon(ctx context.Context, conn *ldap.Conn, c connection.Connection, flavor directory.Flavor, name string) ([]logonEntry, error) {
	filter := uidLogonFilter(name)
	if filter == "" {
		return nil, nil
	}
	key := linkingKey(c, flavor)
	var out []logonEntry
	q := directory.Query{BaseDN: c.SearchPath, Filter: filter, Attributes: []string{key, "uid", "mail"}}
	err := conn.Search(ctx, q, func(e *directory.Entry) error {
		out = append(out, logonEntry{conn: c, dn: e.DN, ext: e.Get(key), mail: e.Get("mail"), uid: e.Get("uid")})
		return nil
	})
	return out, err
}

// logonUser finds the directory user linked to the entry, of connection
// conn ("" for any): among the users whose userId is the entry's UPN, mail
// or uid, or else, for an entry found by uid when conn is set, by the
// connection's link to the entry, whatever its userId is mapped from. On
// Active Directory the userId is the UPN a sync stored, so a login renamed
// in the directory works only after the sync.
func (a *App) logonUser(ctx context.Context, e logonEntry, conn string) (store.User, bool, error) {
	found, ok, err := a.logonUserByID(ctx, e, conn)
	if err != nil || ok || conn == "" || e.ext == "" || e.uid == "" {
		return found, ok, err
	}
	u, err := a.linkedUser(ctx, conn, e.ext)
	if err != nil || u == nil {
		return store.User{}, false, err
	}
	return *u, true, nil
}

func (a *App) logonUserByID(ctx context.Context, e logonEntry, conn string) (store.User, bool, error) {
	var found store.User
	ok := false
	for _, id := range []string{e.upn, e.mail, e.uid} {
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
