package grouprules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
)

// Errors reading a scope's groups can end with.
var (
	// ErrScopeGroupMissing means a group the scope lists does not exist.
	ErrScopeGroupMissing = errors.New("the group does not exist")
	// ErrScopeMatchesNobody means the scope's groups have members, yet
	// none of them is under the connection's search path, so the scope
	// would provision nobody.
	ErrScopeMatchesNobody = errors.New("the scope would match nobody")
)

// ReadScopeMembers reads the direct members of each group a scope lists
// (scope.groups) from the group's own member and uniqueMember attributes,
// completely (with Active Directory's ranged retrieval). A scope must not
// depend on the users' memberOf: OpenLDAP keeps none without its overlay.
//
// Active Directory lists a user's primary group (Domain Users, usually) in
// neither member nor memberOf, only as the user's primaryGroupID, the last
// part of the group's objectSid: those users are read too.
//
// A listed group that does not exist is an error naming it. So is a scope
// whose groups have members of which none is under the connection's search
// path: such a scope would silently provision nobody and deprovision
// everyone provisioned before.
func ReadScopeMembers(ctx context.Context, dir directory.Reader, conn connection.Connection, groups []string) ([]string, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	base, err := ldap.ParseDN(conn.SearchPath)
	if err != nil {
		return nil, fmt.Errorf("scope: search path %q: %w", conn.SearchPath, err)
	}
	var members []string
	var primary []string // the RIDs of listed groups that have an objectSid
	total, under := 0, 0
	for i, g := range groups {
		want, err := ldap.ParseDN(g)
		if err != nil {
			return nil, fmt.Errorf("scope.groups[%d]: %q is not a DN: %w", i, g, err)
		}
		found := false
		add := func(e *directory.Entry) error {
			got, err := ldap.ParseDN(e.DN)
			if err != nil || !got.EqualFold(want) {
				return nil // an entry below the group
			}
			found = true
			if sid := e.Get("objectSid"); sid != "" {
				if rid := sid[strings.LastIndexByte(sid, '-')+1:]; rid != "" && strings.Trim(rid, "0123456789") == "" {
					primary = append(primary, rid)
				}
			}
			vals := e.Values("member")
			for _, v := range e.Values("uniqueMember") {
				vals = append(vals, stripUID(v))
			}
			for _, v := range vals {
				dn, err := ldap.ParseDN(v)
				if err != nil || dn.EqualFold(got) || dn.AncestorOfFold(got) {
					continue // groupOfNames' placeholder member, such as the group's own OU
				}
				total++
				if base.AncestorOfFold(dn) || base.EqualFold(dn) {
					under++
					members = append(members, v)
				}
			}
			return nil
		}
		q := directory.Query{BaseDN: g, Filter: "(objectClass=*)", Attributes: []string{"member", "uniqueMember", "objectSid"}, PageSize: conn.PageSize}
		if cs, ok := dir.(completeSearcher); ok {
			err = cs.SearchComplete(ctx, q, add)
		} else {
			err = dir.Search(ctx, q, add)
		}
		if err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			return nil, fmt.Errorf("scope.groups[%d]: read members of %s: %w", i, g, err)
		}
		if !found {
			return nil, fmt.Errorf("scope.groups[%d]: %s: %w", i, g, ErrScopeGroupMissing)
		}
	}
	for _, rid := range primary {
		q := directory.Query{BaseDN: conn.SearchPath, Filter: "(primaryGroupID=" + rid + ")", Attributes: []string{"1.1"}, PageSize: conn.PageSize}
		err := dir.Search(ctx, q, func(e *directory.Entry) error {
			total++
			under++
			members = append(members, e.DN)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scope.groups: read the users whose primary group has RID %s: %w", rid, err)
		}
	}
	if total > 0 && under == 0 {
		return nil, fmt.Errorf("scope.groups: the groups have %d members but none is under the search path %s: %w",
			total, conn.SearchPath, ErrScopeMatchesNobody)
	}
	if err := probeFilter(ctx, dir, conn, members); err != nil {
		return nil, err
	}
	return members, nil
}

// maxProbe is how many members probeFilter reads at most.
const maxProbe = 50

// probeFilter reads members one by one until one passes the connection's
// search filter. When none of them does and every member was read, the
// scope would match nobody: an error. Past maxProbe members it stops
// without deciding, so that a run costs at most that many reads.
func probeFilter(ctx context.Context, dir directory.Reader, conn connection.Connection, members []string) error {
	if len(members) == 0 {
		return nil
	}
	for i, m := range members {
		if i == maxProbe {
			return nil
		}
		found := false
		q := directory.Query{BaseDN: m, Filter: conn.SearchFilter, Attributes: []string{"1.1"}, PageSize: conn.PageSize}
		err := dir.Search(ctx, q, func(e *directory.Entry) error {
			found = found || strings.EqualFold(e.DN, m) || ldapEqualDN(e.DN, m)
			return nil
		})
		if err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			return fmt.Errorf("scope.groups: read member %s: %w", m, err)
		}
		if found {
			return nil
		}
	}
	return fmt.Errorf("scope.groups: none of the groups' %d members under the search path passes the search filter %s: %w",
		len(members), conn.SearchFilter, ErrScopeMatchesNobody)
}

func ldapEqualDN(a, b string) bool {
	da, err := ldap.ParseDN(a)
	if err != nil {
		return false
	}
	db, err := ldap.ParseDN(b)
	return err == nil && da.EqualFold(db)
}
