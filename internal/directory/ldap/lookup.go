package ldap

import (
	"context"
	"fmt"

	ldapv3 "github.com/go-ldap/ldap/v3"
)

// Matches reports whether the entry at dn matches filter, with a base-scope
// search: how `users explain` tells whether a connection's filter excludes
// an entry found without it. filter must be a complete, already escaped
// filter (a connection's searchFilter).
func (c *Conn) Matches(ctx context.Context, dn, filter string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	req := ldapv3.NewSearchRequest(dn, ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, filter, []string{"1.1"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		if ldapv3.IsErrorWithCode(err, ldapv3.LDAPResultNoSuchObject) {
			return false, nil
		}
		return false, fmt.Errorf("ldap: match %q against %s: %w", dn, filter, err)
	}
	return len(res.Entries) > 0, nil
}
