package ldapserve

import (
	"context"
	"slices"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/ldapfilter"
	"github.com/usersync/usersync/internal/store"
)

// readableViews returns the views a session may read: its account's view,
// or, when anonymous, the views that allow anonymous reading.
func (s *Server) readableViews(ctx context.Context, sess *session) ([]store.LDAPView, error) {
	if sess.view != "" {
		v, err := s.cfg.Store.GetLDAPView(ctx, sess.view)
		if err != nil {
			// The view was deleted after the bind: nothing is readable.
			return nil, nil
		}
		return []store.LDAPView{v}, nil
	}
	all, err := s.cfg.Store.ListLDAPViews(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.LDAPView
	for _, v := range all {
		if v.AllowAnonymous {
			out = append(out, v)
		}
	}
	return out, nil
}

// baseInOtherView reports whether base lies in a view the session may not
// read, so that the search is refused rather than reported missing.
func (s *Server) baseInOtherView(ctx context.Context, base *ldapv3.DN, readable []store.LDAPView) bool {
	all, err := s.cfg.Store.ListLDAPViews(ctx)
	if err != nil {
		return false
	}
	for _, v := range all {
		vb, err := ldapv3.ParseDN(v.BaseDN)
		if err == nil && (vb.EqualFold(base) || vb.AncestorOfFold(base)) &&
			!slices.ContainsFunc(readable, func(r store.LDAPView) bool { return r.Name == v.Name }) {
			return true
		}
	}
	return false
}

// includes tells whether a view serves a user.
func includes(v store.LDAPView, u store.User) bool {
	if u.Status != store.StatusActive && !v.IncludeInactive {
		return false
	}
	for _, c := range v.Connections {
		if c == "*" || (c == u.Connection && u.Source == store.SourceDirectory) {
			return true
		}
	}
	return false
}

// indexedField returns the application field behind an LDAP attribute when
// the store has an index for it: userId and email.
func indexedField(v store.LDAPView, attr string) string {
	n := canonical(attr)
	for a, f := range v.Attributes {
		if canonical(a) == n && (f == FieldUserID || f == store.FieldEmail) {
			return f
		}
	}
	if n == "uid" {
		return FieldUserID
	}
	return ""
}

// viewEntries returns the entries of one view that are within the search's
// base and scope and match its filter, in a stable order: the view's own
// entry, its OUs, the users, then groups and permission sets.
func (s *Server) viewEntries(ctx context.Context, v store.LDAPView, base *ldapv3.DN, scope int, f filter) ([]*entry, error) {
	var out []*entry
	keep := func(e *entry) {
		if ldapfilter.InScopeDN(e.ndn, base, scope) && f.match(e) {
			out = append(out, e)
		}
	}
	users, indexed, err := s.candidates(ctx, v, f)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]store.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	if !indexed {
		keep(containerEntry(v.BaseDN))
		if v.Preset != PresetPhoneBook {
			keep(containerEntry("ou=" + groupsOU + "," + v.BaseDN))
			keep(containerEntry("ou=" + permissionSetsOU + "," + v.BaseDN))
		}
	}
	// A phone book lists people only: no groups, no memberOf.
	withGroups := v.Preset != PresetPhoneBook
	var members []store.Membership
	if withGroups {
		members, err = s.memberships(ctx, v, users, indexed)
		if err != nil {
			return nil, err
		}
	}
	memberOf := map[int64][]string{}
	entityMembers := map[[2]string][]string{}
	for _, ms := range members {
		u, ok := byID[ms.UserRowID]
		if !ok || ms.Kind == store.KindSite {
			continue
		}
		gdn := entityDN(v, ms.Kind, ms.Name)
		udn := userDN(v, u)
		key := [2]string{ms.Kind, ms.Name}
		if !slices.Contains(memberOf[u.ID], gdn) {
			memberOf[u.ID] = append(memberOf[u.ID], gdn)
			entityMembers[key] = append(entityMembers[key], udn)
		}
	}
	view := &v
	for i, u := range users {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		e := userEntry(v, u, memberOf[u.ID])
		e.row, e.view = u.ID, view
		keep(e)
	}
	if indexed || !withGroups {
		// An equality on uid or mail never matches a group.
		return out, nil
	}
	for _, kind := range []string{store.KindGroup, store.KindPermissionSet} {
		ents, err := s.cfg.Store.ListEntities(ctx, kind)
		if err != nil {
			return nil, err
		}
		for _, ent := range ents {
			keep(groupEntry(v, ent, entityMembers[[2]string{ent.Kind, ent.Name}]))
		}
	}
	return out, ctx.Err()
}

// candidates returns the view's users a filter can match. An equality on
// uid or mail is answered from the store's indexes; anything else reads the
// view's connections.
func (s *Server) candidates(ctx context.Context, v store.LDAPView, f filter) (users []store.User, indexed bool, err error) {
	attr, value, ok := f.indexedLookup(func(a string) bool { return indexedField(v, a) != "" })
	var found []store.User
	if ok {
		if indexedField(v, attr) == FieldUserID {
			found, err = s.cfg.Store.FindUsers(ctx, value)
		} else {
			found, err = s.cfg.Store.FindUsersByEmail(ctx, value)
		}
		if err != nil {
			return nil, false, err
		}
	} else {
		var queries []store.UserQuery
		for _, c := range v.Connections {
			if c == "*" {
				queries = []store.UserQuery{{}}
				break
			}
			queries = append(queries, store.UserQuery{Connection: c})
		}
		for _, q := range queries {
			if !v.IncludeInactive {
				q.Status = store.StatusActive
			}
			us, err := s.cfg.Store.ListUsers(ctx, q)
			if err != nil {
				return nil, false, err
			}
			found = append(found, us...)
		}
	}
	for _, u := range found {
		if includes(v, u) {
			users = append(users, u)
		}
	}
	return users, ok, nil
}

// memberships returns the group and permission-set memberships of users:
// one query per user for an indexed lookup's few users, otherwise one per
// membership source.
func (s *Server) memberships(ctx context.Context, v store.LDAPView, users []store.User, few bool) ([]store.Membership, error) {
	var out []store.Membership
	if few {
		for _, u := range users {
			ms, err := s.cfg.Store.UserMemberships(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
		return out, nil
	}
	sources := []string{store.SourceManual}
	conns, err := s.cfg.Store.ListConnections(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		if slices.Contains(v.Connections, "*") || slices.Contains(v.Connections, c.Name) {
			sources = append(sources, store.RuleSource(c.Name))
		}
	}
	for _, src := range sources {
		ms, err := s.cfg.Store.SourceMemberships(ctx, src)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}
