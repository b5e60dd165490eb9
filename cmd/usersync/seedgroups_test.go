package main

import (
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// seedGroup is a directory group of the group-rule sentence tests: its cn, the
// users (or groups, by cn) that are its direct members, and whether it lives
// in a second OU (so that its cn may differ from another only in case).
type seedGroup struct {
	name    string
	members []string
	other   bool
}

// seedGroups is one directory for every sentence of the group rules:
//
//	alice  Engineering (a permission set and an application group)
//	bob    engineering (only the case differs: no match), and "R&D, EMEA"
//	       (a name that needs escaping in a DN)
//	carol  corp_Berlin (a site), corp_Atlantis (a site that does not exist)
//	dave   corp_AllSites
//	erin   Administrator
//	frank  no group at all
//	gina   Sales, a sub-group of the parent group APM
//	hank   Support, not a sub-group of APM
//	ivan   Platform, nested in Engineering
var seedGroups = []seedGroup{
	{name: "Engineering", members: []string{"alice", "Platform"}},
	{name: "engineering", members: []string{"bob"}, other: true},
	{name: "R&D, EMEA", members: []string{"bob"}},
	{name: "corp_Berlin", members: []string{"carol"}},
	{name: "corp_Atlantis", members: []string{"carol"}},
	{name: "corp_AllSites", members: []string{"dave"}},
	{name: "Administrator", members: []string{"erin"}},
	{name: "Sales", members: []string{"gina"}},
	{name: "Support", members: []string{"hank"}},
	{name: "Platform", members: []string{"ivan"}},
	{name: "APM", members: []string{"Sales", "Engineering", "corp_Berlin", "corp_AllSites", "Administrator"}},
}

var seedUsers = []string{"alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivan"}

const otherGroupsDN = "ou=more,dc=example,dc=com"

func seedGroupDN(name string) string {
	for _, g := range seedGroups {
		if g.name == name && g.other {
			return "cn=" + ldapv3.EscapeDN(name) + "," + otherGroupsDN
		}
	}
	return "cn=" + ldapv3.EscapeDN(name) + "," + slapd.GroupsDN
}

// seedLDIF is seedGroups on OpenLDAP: memberships only in the groups'
// member attribute, no memberOf.
func seedLDIF() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: %s\nobjectClass: organizationalUnit\nou: more\n\n", otherGroupsDN)
	isUser := map[string]bool{}
	for _, u := range seedUsers {
		isUser[u] = true
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n\n", u, slapd.PeopleDN, u, u, u)
	}
	for _, g := range seedGroups {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: groupOfNames\ncn: %s\n", seedGroupDN(g.name), g.name)
		for _, m := range g.members {
			if isUser[m] {
				fmt.Fprintf(&b, "member: uid=%s,%s\n", m, slapd.PeopleDN)
			} else {
				fmt.Fprintf(&b, "member: %s\n", seedGroupDN(m))
			}
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// seedEntities are the application's permission sets, groups and sites.
var seedEntities = [][]string{
	{"permission-set", "add", "Engineering"}, {"permission-set", "add", "Sales"}, {"permission-set", "add", "Support"},
	{"permission-set", "add", "Platform"}, {"permission-set", "add", "R&D, EMEA"}, {"group", "add", "Engineering"}, {"site", "add", "Berlin"}, {"site", "add", "Paris"},
}

// seedWant is what each user holds under the group rules for a connection
// named corp, by the settings a case turns on.
func seedWant(parent, nested bool) map[string][]string {
	r := func(kind, name string) string { return kind + ":" + name + ":rule:corp" }
	eng := []string{r("permissionSet", "Engineering"), r("group", "Engineering")}
	want := map[string][]string{
		"alice": eng,
		"bob":   {r("permissionSet", "R&D, EMEA")},
		"carol": {r("site", "Berlin")},
		"dave":  {r("site", "Berlin"), r("site", "Paris")},
		"gina":  {r("permissionSet", "Sales")},
		"hank":  {r("permissionSet", "Support")},
		"ivan":  {r("permissionSet", "Platform")},
	}
	if nested {
		want["ivan"] = append(want["ivan"], eng...)
	}
	if parent {
		// Only APM's sub-groups count: Support is not one, and Platform
		// is one only at depth two, when nested groups are followed.
		delete(want, "hank")
		delete(want, "bob")
		if !nested {
			want["ivan"] = nil
		}
	}
	return want
}

// checkSeedWant compares every user's memberships and super-user flag.
func checkSeedWant(t *testing.T, c *cli, want map[string][]string, users []string) {
	t.Helper()
	for _, u := range users {
		s := c.wantMemberships(u, want[u]...)
		if s.User.SuperUser != (u == "erin") {
			t.Errorf("%s: super user %v, want %v (only members of Administrator are)", u, s.User.SuperUser, u == "erin")
		}
	}
}

// TestSeedGroupRulesOpenLDAP checks each sentence of the group rules on
// OpenLDAP (memberships from the groups' member attribute) in a full run,
// an incremental run that reads changed user entries, and one-user adds,
// with and without a parent group and nested groups.
func TestSeedGroupRulesOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, seedLDIF())
	l := adminConn(t, s)
	cases := []struct {
		name           string
		parent, nested bool
	}{
		{"plain", false, false},
		{"parent group", true, false},
		{"nested groups", false, true},
		{"parent group and nested groups", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := connDoc(s)
			if tc.parent {
				doc["parentGroup"] = seedGroupDN("APM")
			}
			doc["followNestedGroups"] = tc.nested
			want := seedWant(tc.parent, tc.nested)

			full := newCLI(t)
			for _, args := range seedEntities {
				full.mustRun(args...)
			}
			full.apply(doc)
			rep := full.mustSync("corp")
			if rep.Mode != store.ModeFull || rep.Created != len(seedUsers) {
				t.Fatalf("full run: %+v", rep)
			}
			if !containsWarning(rep.Warnings, `group "corp_Atlantis" names site "Atlantis", which does not exist`) && !tc.parent {
				t.Errorf("warnings = %q", rep.Warnings)
			}
			checkSeedWant(t, full, want, seedUsers)

			// An incremental run that reads every user entry again, the
			// groups unchanged: nobody gains or loses anything.
			for _, u := range seedUsers {
				mod := ldapReplace("uid="+u+","+slapd.PeopleDN, "title", "changed by "+tc.name)
				if err := l.Modify(mod); err != nil {
					t.Fatal(err)
				}
			}
			rep = full.mustSync("corp")
			if rep.Mode != store.ModeIncremental || rep.Updated != len(seedUsers) || rep.MembershipChanges != 0 {
				t.Fatalf("incremental run over changed entries: %+v", rep)
			}
			checkSeedWant(t, full, want, seedUsers)

			// One-user adds into an empty store give each user what the
			// full run gave.
			one := newCLI(t)
			for _, args := range seedEntities {
				one.mustRun(args...)
			}
			one.apply(doc)
			for _, u := range seedUsers {
				one.mustRun("users", "add", "--connection", "corp", u, "--json")
			}
			checkSeedWant(t, one, want, seedUsers)
		})
	}

	// "The APM User will be removed from each APM Permission Set (and APM
	// Group) whose name does not match": alice leaves Engineering, and a
	// one-user add and a sync both take the memberships away.
	t.Run("removed", func(t *testing.T) {
		c := newCLI(t)
		for _, args := range seedEntities {
			c.mustRun(args...)
		}
		c.apply(connDoc(s))
		c.mustSync("corp")
		alice := "uid=alice," + slapd.PeopleDN
		if err := l.Modify(ldapModify(seedGroupDN("Engineering"), alice)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Modify(ldapAdd(seedGroupDN("Engineering"), alice)) })
		c.mustRun("users", "add", "--connection", "corp", "alice", "--json")
		c.wantMemberships("alice")
		if err := l.Modify(ldapAdd(seedGroupDN("Engineering"), alice)); err != nil {
			t.Fatal(err)
		}
		c.mustSync("corp")
		c.wantMemberships("alice", seedWant(false, false)["alice"]...)
		if err := l.Modify(ldapModify(seedGroupDN("Engineering"), alice)); err != nil {
			t.Fatal(err)
		}
		if rep := c.mustSync("corp"); rep.MembershipChanges != 1 {
			t.Fatalf("sync after alice left Engineering: %+v", rep)
		}
		c.wantMemberships("alice")
	})

	// "User Status after AD Synchronization": a user assigned to no group
	// is inactive (groupStatusRule), in a full run and a one-user add.
	t.Run("status rule", func(t *testing.T) {
		doc := connDoc(s)
		doc["groupStatusRule"] = true
		for _, how := range []string{"full", "one-user"} {
			c := newCLI(t)
			c.apply(doc)
			if how == "full" {
				c.mustSync("corp")
			} else {
				for _, u := range []string{"frank", "alice"} {
					c.mustRun("users", "add", "--connection", "corp", u, "--json")
				}
			}
			if got := c.show("frank").User.Status; got != store.StatusInactive {
				t.Errorf("%s: frank, in no group, is %s", how, got)
			}
			if got := c.show("alice").User.Status; got != store.StatusActive {
				t.Errorf("%s: alice, in Engineering, is %s", how, got)
			}
		}
	})
}
