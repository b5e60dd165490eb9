package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/graph"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// sameGroups is one directory's groups, written both into slapd and into
// the local Graph: permission sets and groups by exact name, sites as
// <connection>_<site> and <connection>_AllSites, the Administrator group,
// and a nested group.
var sameGroups = []struct {
	name   string
	users  []string
	nested []string
}{
	{"Engineering", []string{"alice", "bob"}, []string{"Platform"}},
	{"Platform", []string{"dave"}, nil},
	{"corp_Berlin", []string{"alice"}, nil},
	{"CORP_AllSites", []string{"bob"}, nil},
	{"Administrator", []string{"carol"}, nil},
	{"Unrelated", []string{"erin"}, nil},
}

var sameUsers = []string{"alice", "bob", "carol", "dave", "erin"}

func sameGroupsLDIF() []byte {
	var b strings.Builder
	for _, u := range sameUsers {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n\n", u, slapd.PeopleDN, u, u, u)
	}
	for _, g := range sameGroups {
		fmt.Fprintf(&b, "dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\nmember: %s\n", g.name, slapd.GroupsDN, g.name, slapd.GroupsDN)
		for _, m := range g.users {
			fmt.Fprintf(&b, "member: uid=%s,%s\n", m, slapd.PeopleDN)
		}
		for _, n := range g.nested {
			fmt.Fprintf(&b, "member: cn=%s,%s\n", n, slapd.GroupsDN)
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// memberships lists what the rules gave each user, by login, with the
// super-user flag and the status, in a form both directories share.
func (c *cli) memberships(logins []string, userID func(string) string) map[string][]string {
	c.t.Helper()
	out := map[string][]string{}
	for _, l := range logins {
		s := c.show(userID(l))
		var got []string
		for _, m := range s.Memberships {
			got = append(got, m.Kind+":"+m.Name+":"+m.Source)
		}
		if s.User.SuperUser {
			got = append(got, "superUser")
		}
		got = append(got, "status:"+s.User.Status)
		slices.Sort(got)
		out[l] = got
	}
	return out
}

// The group rules on Entra groups give the same permission sets,
// groups, sites and super users as the same groups in LDAP, nested groups
// and the status rule included, and a membership change on Entra is read
// incrementally.
func TestGroupRulesEntraMatchLDAP(t *testing.T) {
	ldapSrv := slapd.StartLDIF(t, sameGroupsLDIF())
	g := entraTenant(t)
	ids := map[string]string{}
	for _, u := range sameUsers {
		ids[u] = putUser(t, g, graph.User{UserPrincipalName: u + "@contoso.test", DisplayName: u})
	}
	groupIDs := map[string]string{}
	for i := len(sameGroups) - 1; i >= 0; i-- { // nested groups first
		grp := sameGroups[i]
		var members []string
		for _, u := range grp.users {
			members = append(members, ids[u])
		}
		for _, n := range grp.nested {
			members = append(members, groupIDs[n])
		}
		id, err := g.PutGroup(graph.Group{DisplayName: grp.name, Members: members})
		must(t, err)
		groupIDs[grp.name] = id
	}

	setup := func(c *cli) {
		for _, args := range [][]string{
			{"permission-set", "add", "Engineering"}, {"permission-set", "add", "Platform"}, {"group", "add", "Engineering"},
			{"site", "add", "Berlin"}, {"site", "add", "Paris"},
		} {
			c.mustRun(args...)
		}
	}
	ld := newCLI(t)
	setup(ld)
	ldoc := connDoc(ldapSrv)
	ldoc["followNestedGroups"], ldoc["groupStatusRule"] = true, true
	ld.apply(ldoc)
	en := newCLI(t)
	setup(en)
	edoc := entraDoc(g)
	edoc["name"], edoc["followNestedGroups"], edoc["groupStatusRule"] = "corp", true, true
	en.apply(edoc)

	ld.mustSync("corp")
	rep := en.mustSync("corp")
	if rep.Created != 5 {
		t.Fatalf("entra first sync: %+v", rep)
	}
	compare := func(when string) {
		t.Helper()
		want := ld.memberships(sameUsers, func(l string) string { return l })
		got := en.memberships(sameUsers, func(l string) string { return l + "@contoso.test" })
		for _, l := range sameUsers {
			if !slices.Equal(got[l], want[l]) {
				t.Errorf("%s: %s on Entra holds %q, on LDAP %q", when, l, got[l], want[l])
			}
		}
	}
	compare("first sync")
	if s := en.show("carol@contoso.test"); !s.User.SuperUser {
		t.Fatal("carol, in Administrator, is not a super user on Entra")
	}
	if s := en.show("dave@contoso.test"); !slices.Contains(en.memberships([]string{"dave"}, func(l string) string { return l + "@contoso.test" })["dave"], "permissionSet:Engineering:rule:corp") {
		t.Fatalf("dave, in Platform inside Engineering, lacks Engineering: %+v", s)
	}

	// Alice leaves Engineering and joins Administrator, in both.
	l := adminConn(t, ldapSrv)
	must(t, l.Modify(ldapModify("cn=Engineering,"+slapd.GroupsDN, "uid=alice,"+slapd.PeopleDN)))
	must(t, l.Modify(ldapAdd("cn=Administrator,"+slapd.GroupsDN, "uid=alice,"+slapd.PeopleDN)))
	must(t, g.RemoveMember(groupIDs["Engineering"], ids["alice"]))
	must(t, g.AddMember(groupIDs["Administrator"], ids["alice"]))
	ld.mustSync("corp")
	rep = en.mustSync("corp")
	if rep.Mode != store.ModeIncremental || rep.MembershipChanges == 0 {
		t.Fatalf("entra membership change: mode %s, %+v", rep.Mode, rep)
	}
	compare("after a membership change")
}

// The same comparison against Active Directory (a Samba DC, memberships
// read through memberOf): Entra groups and AD groups of the same names
// give every user the same permission sets, groups, sites, super-user flag
// and status. The administrator group is named by adminGroup on both,
// since a group CN=Administrator cannot sit beside the DC's own
// Administrator account.
func TestGroupRulesEntraMatchAD(t *testing.T) {
	dc := samba.Start(t)
	g := entraTenant(t)
	rename := func(name string) string {
		if name == "Administrator" {
			return "Superusers"
		}
		return name
	}
	dns := map[string]string{}
	ids := map[string]string{}
	specs := make([]samba.UserSpec, len(sameUsers))
	for i, u := range sameUsers {
		specs[i] = samba.UserSpec{SAMAccountName: u, UserPrincipalName: u + "@example.test", DisplayName: u}
		ids[u] = putUser(t, g, graph.User{UserPrincipalName: u + "@contoso.test", DisplayName: u})
	}
	userDNs := dc.AddUsers(t, len(specs), func(i int) samba.UserSpec { return specs[i] })
	for i, u := range sameUsers {
		dns[u] = userDNs[i]
	}
	groupDNs, groupIDs := map[string]string{}, map[string]string{}
	for i := len(sameGroups) - 1; i >= 0; i-- { // nested groups first
		grp := sameGroups[i]
		var adMembers, enMembers []string
		for _, u := range grp.users {
			adMembers, enMembers = append(adMembers, dns[u]), append(enMembers, ids[u])
		}
		for _, n := range grp.nested {
			adMembers, enMembers = append(adMembers, groupDNs[n]), append(enMembers, groupIDs[n])
		}
		groupDNs[grp.name] = dc.AddGroup(t, rename(grp.name), adMembers)
		id, err := g.PutGroup(graph.Group{DisplayName: rename(grp.name), Members: enMembers})
		must(t, err)
		groupIDs[grp.name] = id
	}
	setup := func(c *cli) {
		for _, args := range [][]string{
			{"permission-set", "add", "Engineering"}, {"permission-set", "add", "Platform"}, {"group", "add", "Engineering"},
			{"site", "add", "Berlin"}, {"site", "add", "Paris"},
		} {
			c.mustRun(args...)
		}
	}
	filter := "(&(objectClass=user)(objectCategory=person)(|(sAMAccountName=" + strings.Join(sameUsers, ")(sAMAccountName=") + ")))"
	ad := newCLI(t)
	setup(ad)
	adoc := adDoc(dc, map[string]any{"name": "corp", "searchFilter": filter, "followNestedGroups": true, "groupStatusRule": true, "adminGroup": "Superusers"})
	ad.apply(adoc)
	en := newCLI(t)
	setup(en)
	edoc := entraDoc(g)
	edoc["name"], edoc["followNestedGroups"], edoc["groupStatusRule"], edoc["adminGroup"] = "corp", true, true, "Superusers"
	en.apply(edoc)

	compare := func(when string) {
		t.Helper()
		want := ad.memberships(sameUsers, func(l string) string { return l + "@example.test" })
		got := en.memberships(sameUsers, func(l string) string { return l + "@contoso.test" })
		for _, l := range sameUsers {
			if !slices.Equal(got[l], want[l]) {
				t.Errorf("%s: %s on Entra holds %q, on AD %q", when, l, got[l], want[l])
			}
		}
		if !slices.Contains(want["carol"], "superUser") || !slices.Contains(want["dave"], "permissionSet:Engineering:rule:corp") {
			t.Fatalf("%s: the AD side lacks the expected rules: %v", when, want)
		}
	}
	ad.mustSync("corp")
	en.mustSync("corp")
	compare("first sync")

	dc.Modify(t, ldapModify(groupDNs["Engineering"], dns["alice"]))
	dc.Modify(t, ldapAdd(groupDNs["Administrator"], dns["alice"]))
	must(t, g.RemoveMember(groupIDs["Engineering"], ids["alice"]))
	must(t, g.AddMember(groupIDs["Administrator"], ids["alice"]))
	ad.mustSync("corp")
	en.mustSync("corp")
	compare("after a membership change")
}
