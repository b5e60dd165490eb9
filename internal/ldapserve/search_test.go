package ldapserve

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
)

// "base, one-level and subtree scopes; filters with equality, presence,
// substrings, AND/OR/NOT, approximate as equality; case-insensitive
// matching per the attribute's matching rule".
func TestSearchScopesAndFilters(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, true)
	john := `uid=smith\, john\+x,` + testBase
	tests := []struct {
		name, base string
		scope      int
		filter     string
		want       []string // uids, or DNs for non-users
	}{
		{"equality ignores case", testBase, ldapv3.ScopeWholeSubtree, "(uid=ALICE)", []string{"alice"}},
		{"mail ignores case (caseIgnoreIA5Match)", testBase, ldapv3.ScopeWholeSubtree, "(mail=alice@EXAMPLE.com)", []string{"alice"}},
		{"phone ignores spaces (telephoneNumberMatch)", testBase, ldapv3.ScopeWholeSubtree, "(telephoneNumber=+15550102)", []string{"bob"}},
		{"presence", testBase, ldapv3.ScopeWholeSubtree, "(&(objectClass=inetOrgPerson)(telephoneNumber=*))", []string{"alice", "bob"}},
		{"substrings", testBase, ldapv3.ScopeWholeSubtree, "(cn=*li*dell)", []string{"alice"}},
		{"initial substring", testBase, ldapv3.ScopeWholeSubtree, "(sn=b*)", []string{"bob"}},
		{"or", testBase, ldapv3.ScopeWholeSubtree, "(|(uid=alice)(mail=BOB@example.com))", []string{"alice", "bob"}},
		{"not", testBase, ldapv3.ScopeWholeSubtree, "(&(objectClass=inetOrgPerson)(!(uid=alice)))", []string{"bob", "smith, john+x"}},
		{"approximate is equality", testBase, ldapv3.ScopeWholeSubtree, "(givenName~=BOB)", []string{"bob"}},
		{"escaped value", testBase, ldapv3.ScopeWholeSubtree, `(uid=smith, john\2bx)`, []string{"smith, john+x"}},
		{"injected wildcard is a literal", testBase, ldapv3.ScopeWholeSubtree, `(uid=\2a)`, nil},
		{"inactive users are hidden", testBase, ldapv3.ScopeWholeSubtree, "(uid=carol)", nil},
		{"other connection is not in the view", testBase, ldapv3.ScopeWholeSubtree, "(uid=mallory)", nil},
		{"alias attribute name", testBase, ldapv3.ScopeWholeSubtree, "(userid=bob)", []string{"bob"}},
		{"base scope on a user", john, ldapv3.ScopeBaseObject, "(objectClass=*)", []string{"smith, john+x"}},
		{"one level returns no grandchildren", testBase, ldapv3.ScopeSingleLevel, "(objectClass=inetOrgPerson)", []string{"alice", "bob", "smith, john+x"}},
		{"one level below groups", "ou=groups," + testBase, ldapv3.ScopeSingleLevel, "(objectClass=*)", []string{"cn=Sales,ou=groups," + testBase}},
		{"memberOf is a DN match", testBase, ldapv3.ScopeWholeSubtree, "(memberOf=CN=sales,OU=Groups," + testBase + ")", []string{"alice", "bob"}},
		{"groups by member", testBase, ldapv3.ScopeWholeSubtree, "(&(objectClass=groupOfNames)(member=uid=alice," + testBase + "))",
			[]string{"cn=Admins,ou=permissionSets," + testBase, "cn=Sales,ou=groups," + testBase}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := search(c, tt.base, tt.scope, tt.filter, "uid")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Entries {
				if u := e.GetAttributeValue("uid"); u != "" {
					got = append(got, u)
				} else {
					got = append(got, e.DN)
				}
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s under %s: %q, want %q", tt.filter, tt.base, got, tt.want)
			}
		})
	}
	if _, err := search(c, "uid=nobody,"+testBase, ldapv3.ScopeBaseObject, "(objectClass=*)"); err != nil {
		t.Errorf("base search of a missing user: %v", err)
	}
	if _, err := search(c, "o=nowhere", ldapv3.ScopeWholeSubtree, "(objectClass=*)"); code(err) != ldapv3.LDAPResultNoSuchObject {
		t.Errorf("search outside every view: %v, want noSuchObject", err)
	}
}

// "Users as inetOrgPerson entries with a stable entryUUID ... and
// modifyTimestamp/createTimestamp; groups and permission sets as
// groupOfNames with member; memberOf on users"; the attributes follow the
// standard table in reverse.
func TestUserEntries(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, true)
	res, err := search(c, testBase, ldapv3.ScopeWholeSubtree, "(uid=alice)", "*", "+")
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("alice: %v, %v", dns(res), err)
	}
	e := res.Entries[0]
	want := map[string]string{
		"uid": "alice", "cn": "Alice Liddell", "givenName": "Alice", "sn": "Liddell", "mail": "Alice@Example.com",
		"telephoneNumber": "+1 555 0101", "departmentNumber": "R&D",
	}
	for a, v := range want {
		if got := e.GetAttributeValue(a); got != v {
			t.Errorf("%s = %q, want %q", a, got, v)
		}
	}
	if oc := e.GetAttributeValues("objectClass"); !slices.Contains(oc, "inetOrgPerson") {
		t.Errorf("objectClass = %v", oc)
	}
	member := e.GetAttributeValues("memberOf")
	sort.Strings(member)
	if !slices.Equal(member, []string{"cn=Admins,ou=permissionSets," + testBase, "cn=Sales,ou=groups," + testBase}) {
		t.Errorf("memberOf = %v", member)
	}
	uuid := e.GetAttributeValue("entryUUID")
	if len(uuid) != 36 || uuid[14] != '5' {
		t.Errorf("entryUUID = %q, want a version-5 UUID", uuid)
	}
	if _, err := time.Parse("20060102150405Z", e.GetAttributeValue("modifyTimestamp")); err != nil {
		t.Errorf("modifyTimestamp: %v", err)
	}
	if _, err := time.Parse("20060102150405Z", e.GetAttributeValue("createTimestamp")); err != nil {
		t.Errorf("createTimestamp: %v", err)
	}
	// The same user keeps its entryUUID on another server over the store.
	again := newFixture(t, nil)
	res2, err := search(again.dial(t, true), testBase, ldapv3.ScopeWholeSubtree, "(uid=alice)", "entryUUID")
	if err != nil || res2.Entries[0].GetAttributeValue("entryUUID") != uuid {
		t.Errorf("entryUUID on a second store with the same user: %v, %v; want %s", dns(res2), err, uuid)
	}
	// A user without a mapped name still has the cn and sn person requires.
	g, err := search(c, "cn=Sales,ou=groups,"+testBase, ldapv3.ScopeBaseObject, "(objectClass=groupOfNames)", "member", "cn")
	if err != nil || len(g.Entries) != 1 {
		t.Fatalf("group: %v, %v", dns(g), err)
	}
	if m := g.Entries[0].GetAttributeValues("member"); len(m) != 2 {
		t.Errorf("Sales members = %v, want alice and bob", m)
	}
}

// "requested attribute lists, `*`, `+` and `1.1`".
func TestAttributeSelection(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, true)
	tests := []struct {
		attrs      []string
		has, hasnt []string
	}{
		{nil, []string{"uid", "mail", "cn"}, []string{"entryUUID", "modifyTimestamp"}},
		{[]string{"*"}, []string{"uid", "mail"}, []string{"entryUUID"}},
		{[]string{"+"}, []string{"entryUUID", "modifyTimestamp"}, []string{"uid", "mail"}},
		{[]string{"*", "+"}, []string{"uid", "entryUUID"}, nil},
		{[]string{"1.1"}, nil, []string{"uid", "mail", "entryUUID", "objectClass"}},
		{[]string{"MAIL", "entryuuid"}, []string{"mail", "entryUUID"}, []string{"uid"}},
		{[]string{"surname"}, []string{"sn"}, []string{"cn"}},
	}
	for _, tt := range tests {
		res, err := search(c, testBase, ldapv3.ScopeWholeSubtree, "(uid=bob)", tt.attrs...)
		if err != nil || len(res.Entries) != 1 {
			t.Fatalf("%v: %v, %v", tt.attrs, dns(res), err)
		}
		e := res.Entries[0]
		for _, a := range tt.has {
			if e.GetAttributeValue(a) == "" {
				t.Errorf("attributes %v: %s missing", tt.attrs, a)
			}
		}
		for _, a := range tt.hasnt {
			if e.GetAttributeValue(a) != "" {
				t.Errorf("attributes %v: %s returned", tt.attrs, a)
			}
		}
	}
}

// "entryUUID/modifyTimestamp so a client can sync incrementally (a filter
// like (modifyTimestamp>=X) must work)".
func TestModifyTimestampFilter(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, true)
	time.Sleep(1100 * time.Millisecond)
	// modifyTimestamp has whole seconds, as on OpenLDAP; a client asks
	// from the last second it saw.
	since := time.Now().UTC().Truncate(time.Second)
	if err := f.st.SetUserField(context.Background(), f.ids["bob"], store.FieldEmail, "robert@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{since.Format("20060102150405Z"), since.Format("20060102150405.0Z"), since.In(time.FixedZone("", 3600)).Format("20060102150405-0700")} {
		res, err := search(c, testBase, ldapv3.ScopeWholeSubtree, "(&(objectClass=inetOrgPerson)(modifyTimestamp>="+x+"))", "uid", "mail")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("mail") != "robert@example.com" {
			t.Errorf("(modifyTimestamp>=%s) = %v, want bob only", x, dns(res))
		}
	}
}

// The root DSE and the subschema entry that `ldapsearch -b "" -s base`
// and `ldapsearch -b cn=subschema -s base` read, before a bind.
func TestRootDSEAndSubschema(t *testing.T) {
	f := newFixture(t, nil)
	anon := f.dial(t, false)
	res, err := search(anon, "", ldapv3.ScopeBaseObject, "(objectClass=*)", "*", "+")
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("root DSE: %v, %v", dns(res), err)
	}
	r := res.Entries[0]
	for a, v := range map[string]string{"supportedLDAPVersion": "3", "supportedControl": oidPagedResults,
		"subschemaSubentry": subschemaDN, "vendorName": "usersync"} {
		if !slices.Contains(r.GetAttributeValues(a), v) {
			t.Errorf("root DSE %s = %v, want %s", a, r.GetAttributeValues(a), v)
		}
	}
	if nc := r.GetAttributeValues("namingContexts"); len(nc) != 0 {
		t.Errorf("an anonymous client sees naming contexts %v", nc)
	}
	c := f.dial(t, true)
	res, _ = search(c, "", ldapv3.ScopeBaseObject, "(objectClass=*)", "namingContexts")
	if nc := res.Entries[0].GetAttributeValues("namingContexts"); !slices.Equal(nc, []string{testBase}) {
		t.Errorf("namingContexts for the account = %v, want only its view", nc)
	}
	plain, err := ldapv3.DialURL("ldap://" + f.plain)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	res, err = search(plain, "", ldapv3.ScopeBaseObject, "(objectClass=*)", "supportedExtension")
	if err != nil || !slices.Contains(res.Entries[0].GetAttributeValues("supportedExtension"), oidStartTLS) {
		t.Errorf("plain port's root DSE does not offer StartTLS: %v", err)
	}
	s, err := search(anon, "cn=subschema", ldapv3.ScopeBaseObject, "(objectClass=subschema)", "objectClasses", "attributeTypes")
	if err != nil || len(s.Entries) != 1 {
		t.Fatalf("subschema: %v, %v", dns(s), err)
	}
	oc := s.Entries[0].GetAttributeValues("objectClasses")
	if !slices.ContainsFunc(oc, func(v string) bool { return slices.Contains([]string{"inetOrgPerson"}, between(v, "NAME '", "'")) }) {
		t.Errorf("objectClasses lacks inetOrgPerson: %v", oc)
	}
	if len(s.Entries[0].GetAttributeValues("attributeTypes")) < 20 {
		t.Errorf("attributeTypes: %d definitions", len(s.Entries[0].GetAttributeValues("attributeTypes")))
	}
}

func between(s, a, b string) string {
	_, rest, ok := cutString(s, a)
	if !ok {
		return ""
	}
	v, _, _ := cutString(rest, b)
	return v
}

func cutString(s, sep string) (string, string, bool) {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

// "whether inactive users appear": a view with inactive users shows them,
// and an inactive user whose userId an active user now holds gets a DN of
// its own (its RDN adds its entryUUID), so no two entries share a DN.
func TestInactiveUsersInAView(t *testing.T) {
	f := newFixture(t, nil)
	f.addUsers(t, "corp", user("5", "carol", "active", "Carol New", "Carol", "New", "carol.new@example.com", ""))
	ctx := context.Background()
	v, err := f.st.GetLDAPView(ctx, "people")
	if err != nil {
		t.Fatal(err)
	}
	c := f.dial(t, true)
	if res, err := search(c, testBase, ldapv3.ScopeWholeSubtree, "(uid=carol)", "mail"); err != nil || len(res.Entries) != 1 ||
		res.Entries[0].DN != "uid=carol,"+testBase {
		t.Fatalf("a view without inactive users: %v, %v", dns(res), err)
	}
	v.IncludeInactive = true
	if err := f.st.PutLDAPView(ctx, v); err != nil {
		t.Fatal(err)
	}
	res, err := search(c, testBase, ldapv3.ScopeWholeSubtree, "(uid=carol)", "mail", "entryUUID")
	if err != nil || len(res.Entries) != 2 || res.Entries[0].DN == res.Entries[1].DN {
		t.Fatalf("a view with inactive users: %v, %v", dns(res), err)
	}
	for _, e := range res.Entries {
		if e.GetAttributeValue("mail") == "carol@example.com" {
			if want := "uid=carol+entryUUID=" + e.GetAttributeValue("entryUUID") + "," + testBase; e.DN != want {
				t.Errorf("inactive carol's DN = %s, want %s", e.DN, want)
			}
			base, err := search(c, e.DN, ldapv3.ScopeBaseObject, "(objectClass=*)", "mail")
			if err != nil || len(base.Entries) != 1 || base.Entries[0].GetAttributeValue("mail") != "carol@example.com" {
				t.Errorf("base search of %s: %v, %v", e.DN, dns(base), err)
			}
		}
	}
}
