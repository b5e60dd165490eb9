package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/reconcile"
)

// explainEntry opens a connection's directory for `users explain` and
// finds the user there without the connection's filter: on LDAP by
// userId, UPN, login, mail or cn; on Entra by object id, userPrincipalName
// or mail, read with the attributes a run reads so that the decision is
// the run's.
func (a *App) explainEntry(ctx context.Context, name, who string) (*Directory, *directory.Entry, error) {
	c, entra, err := a.entraSource(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if entra {
		d, r, err := a.openEntraSource(ctx, c)
		if err != nil {
			return nil, nil, err
		}
		d.Graph = r
		e, err := r.Lookup(ctx, who, reconcile.Attributes(d.Job))
		if err != nil {
			return nil, nil, fmt.Errorf("explain: look %q up in connection %q: %w", who, name, err)
		}
		return d, e, nil
	}
	d, err := a.OpenDirectory(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	e, err := findEntry(ctx, d, who)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, e, nil
}

// matchesFilter says whether a run reads the entry: on LDAP whether it
// passes the search filter, on Entra whether it is no excluded guest and
// passes the connection's filter.
func (d *Directory) matchesFilter(ctx context.Context, e *directory.Entry) (bool, error) {
	if d.Graph != nil {
		return d.Graph.Wanted(e), nil
	}
	return d.LDAP.Matches(ctx, e.DN, d.Conn.SearchFilter)
}

// entraExcluded says why a full read of an Entra connection leaves a user
// out.
func entraExcluded(d *Directory, e *directory.Entry) string {
	if !d.Conn.IncludeGuests && strings.EqualFold(e.Get("userType"), "Guest") {
		return fmt.Sprintf("%s is a guest (userType Guest), and the connection does not include guests", e.DN)
	}
	return fmt.Sprintf("%s exists, but the connection's filter %s excludes it", e.DN, d.Conn.Filter)
}

// disabledBy names the attribute that disables an account.
func disabledBy(d *Directory, e *directory.Entry) string {
	if d.Graph != nil {
		return "accountEnabled " + e.Get("accountEnabled")
	}
	return "userAccountControl " + e.Get("userAccountControl")
}
