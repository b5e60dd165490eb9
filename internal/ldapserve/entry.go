package ldapserve

import (
	"crypto/sha1"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
)

// entry is one LDAP entry as a search returns it.
type entry struct {
	dn    string
	ndn   *ldapv3.DN // parsed, for scope tests
	attrs []attribute
	// row and view name the user a user entry shows (row 0 otherwise), so
	// that a paged search can read it again for a later page.
	row  int64
	view *store.LDAPView
}

type attribute struct {
	name        string
	values      []string
	operational bool
}

// get returns an attribute's values, its name compared ignoring case.
func (e *entry) get(name string) []string {
	n := canonical(name)
	for _, a := range e.attrs {
		if canonical(a.name) == n {
			return a.values
		}
	}
	return nil
}

func (e *entry) add(name string, operational bool, values ...string) {
	var keep []string
	for _, v := range values {
		if v != "" {
			keep = append(keep, v)
		}
	}
	if len(keep) == 0 {
		return
	}
	for i, a := range e.attrs {
		if strings.EqualFold(a.name, name) {
			e.attrs[i].values = append(e.attrs[i].values, keep...)
			return
		}
	}
	e.attrs = append(e.attrs, attribute{name: name, values: keep, operational: operational})
}

func newEntry(dn string) *entry {
	parsed, err := ldapv3.ParseDN(dn)
	if err != nil {
		parsed = &ldapv3.DN{}
	}
	return &entry{dn: dn, ndn: parsed}
}

// generalizedTime formats t as LDAP's GeneralizedTime in UTC.
func generalizedTime(t time.Time) string { return t.UTC().Format("20060102150405Z") }

// entryUUID derives a stable name-based UUID (RFC 4122 version 5 layout)
// from what identifies a user in the store: its connection and external id,
// or its userId for a local user. The same user keeps the same entryUUID
// across restarts and on every instance sharing the store.
func entryUUID(kind, a, b string) string {
	h := sha1.Sum([]byte("usersync\x00" + kind + "\x00" + a + "\x00" + b))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func userUUID(u store.User) string {
	if u.Source == store.SourceLocal {
		return entryUUID("local", store.UserIDKey(u.UserID), "")
	}
	return entryUUID("user", u.Connection, u.ExternalID)
}

// userDN names a user by its uid under the view's base.
//
// An inactive user's userId may since have been taken by an active user
// (only active userIds are unique), so an inactive user, in a view that
// shows inactive users, is named with its entryUUID too: two entries never
// share a DN.
func userDN(v store.LDAPView, u store.User) string {
	if u.Status != store.StatusActive {
		return "uid=" + ldapv3.EscapeDN(u.UserID) + "+entryUUID=" + userUUID(u) + "," + v.BaseDN
	}
	return "uid=" + ldapv3.EscapeDN(u.UserID) + "," + v.BaseDN
}

// Where groups and permission sets live under a view's base.
const (
	groupsOU         = "groups"
	permissionSetsOU = "permissionSets"
)

func entityOU(kind string) string {
	if kind == store.KindPermissionSet {
		return permissionSetsOU
	}
	return groupsOU
}

func entityDN(v store.LDAPView, kind, name string) string {
	return "cn=" + ldapv3.EscapeDN(name) + ",ou=" + entityOU(kind) + "," + v.BaseDN
}

// parsedBases caches the parsed base DNs of views: a search builds an entry
// per user, and parsing the same base for each would dominate it.
var parsedBases sync.Map // string → *ldapv3.DN

func parsedBase(dn string) *ldapv3.DN {
	if d, ok := parsedBases.Load(dn); ok {
		return d.(*ldapv3.DN)
	}
	d, err := ldapv3.ParseDN(dn)
	if err != nil {
		d = &ldapv3.DN{}
	}
	parsedBases.Store(dn, d)
	return d
}

// userEntry builds a user's inetOrgPerson entry; memberOf lists the DNs of
// its groups and permission sets.
func userEntry(v store.LDAPView, u store.User, memberOf []string) *entry {
	base := parsedBase(v.BaseDN)
	rdn := &ldapv3.RelativeDN{Attributes: []*ldapv3.AttributeTypeAndValue{{Type: "uid", Value: u.UserID}}}
	if u.Status != store.StatusActive {
		rdn.Attributes = append(rdn.Attributes, &ldapv3.AttributeTypeAndValue{Type: "entryUUID", Value: userUUID(u)})
	}
	e := &entry{dn: userDN(v, u), ndn: &ldapv3.DN{RDNs: append([]*ldapv3.RelativeDN{rdn}, base.RDNs...)}}
	e.add("objectClass", false, "top", "person", "organizationalPerson", "inetOrgPerson")
	names := make([]string, 0, len(v.Attributes))
	for a := range v.Attributes {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		f := v.Attributes[a]
		if f == FieldUserID {
			e.add(a, false, u.UserID)
			continue
		}
		e.add(a, false, u.Fields[f])
	}
	// person requires cn and sn: a user without the mapped fields still
	// gets a valid entry, named by its userId.
	if e.get("cn") == nil {
		e.add("cn", false, u.UserID)
	}
	if e.get("sn") == nil {
		e.add("sn", false, e.get("cn")[0])
	}
	if e.get("uid") == nil {
		e.add("uid", false, u.UserID)
	}
	e.add("memberOf", false, memberOf...)
	e.add("entryUUID", true, userUUID(u))
	e.add("createTimestamp", true, generalizedTime(u.CreatedAt))
	e.add("modifyTimestamp", true, generalizedTime(u.UpdatedAt))
	e.add("entryDN", true, e.dn)
	e.add("subschemaSubentry", true, subschemaDN)
	e.add("hasSubordinates", true, "FALSE")
	return e
}

// groupEntry builds a groupOfNames entry. groupOfNames requires a member;
// an empty group lists none, which clients read as an empty group.
func groupEntry(v store.LDAPView, ent store.Entity, members []string) *entry {
	e := newEntry(entityDN(v, ent.Kind, ent.Name))
	e.add("objectClass", false, "top", "groupOfNames")
	e.add("cn", false, ent.Name)
	e.add("description", false, ent.Kind)
	e.add("member", false, members...)
	e.add("entryUUID", true, entryUUID("entity", ent.Kind, ent.Name))
	e.add("entryDN", true, e.dn)
	e.add("subschemaSubentry", true, subschemaDN)
	e.add("hasSubordinates", true, "FALSE")
	return e
}

// containerEntry is the view's base entry or one of the OUs below it.
func containerEntry(dn string) *entry {
	e := newEntry(dn)
	class, attr, value := "extensibleObject", "", ""
	if len(e.ndn.RDNs) > 0 && len(e.ndn.RDNs[0].Attributes) > 0 {
		attr, value = e.ndn.RDNs[0].Attributes[0].Type, e.ndn.RDNs[0].Attributes[0].Value
		switch strings.ToLower(attr) {
		case "ou":
			class = "organizationalUnit"
		case "o":
			class = "organization"
		case "dc":
			class = "domain"
		}
	}
	e.add("objectClass", false, "top", class)
	if attr != "" {
		e.add(attr, false, value)
	}
	e.add("entryUUID", true, entryUUID("container", strings.ToLower(dn), ""))
	e.add("entryDN", true, e.dn)
	e.add("subschemaSubentry", true, subschemaDN)
	e.add("hasSubordinates", true, "TRUE")
	return e
}
