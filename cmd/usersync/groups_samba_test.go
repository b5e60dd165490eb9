package main

import (
	"context"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// adGroups is an OU for the test's groups: CN=Users already holds the
// Administrator user, whose name the admin group shares.
const adGroups = "OU=AppGroups," + samba.BaseDN

// adGroup creates a global group name in adGroups with members.
func adGroup(t *testing.T, l *ldapv3.Conn, name string, members ...string) string {
	t.Helper()
	dn := "CN=" + ldapv3.EscapeDN(name) + "," + adGroups
	req := ldapv3.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"group"})
	req.Attribute("sAMAccountName", []string{"g-" + name}) // unique beside the Administrator user
	if len(members) > 0 {
		req.Attribute("member", members)
	}
	if err := l.Add(req); err != nil {
		t.Fatalf("add group %s: %v", name, err)
	}
	return dn
}

func sambaConnDoc(dc *samba.DC) map[string]any {
	return map[string]any{
		"name": "corp", "directoryType": "source", "systemType": "ldap",
		"dnsName": dc.Host, "port": 636, "security": "ldaps", "caCertificate": string(dc.CAPEM),
		"username": dc.AdminDN, "password": dc.AdminPassword,
		"searchPath": samba.UsersDN, "searchFilter": "(&(objectClass=user)(objectCategory=person)(sAMAccountName=user*))",
	}
}

// ruleMembers counts the rule-managed members of one entity, read straight
// from the store.
func ruleMembers(t *testing.T, c *cli, name string) int {
	t.Helper()
	st, err := sqlite.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ms, err := st.SourceMemberships(context.Background(), store.RuleSource("corp"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Name == name {
			n++
		}
	}
	return n
}

// TestGroupRulesSambaAD checks the group rules against a real Samba
// AD DC: exact names, sites, the admin group, the status rule, nested
// groups with a cycle, and a 3,000-member group read both through the
// users' memberOf and through the group's ranged member attribute.
func TestGroupRulesSambaAD(t *testing.T) {
	const users = 3000
	dc := samba.StartWithUsers(t, users)
	l := dc.Dial(t)
	ou := ldapv3.NewAddRequest(adGroups, nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	if err := l.Add(ou); err != nil {
		t.Fatal(err)
	}
	u := samba.GeneratedUserDN
	engineering := adGroup(t, l, "Engineering", u(1), u(2))
	adGroup(t, l, "corp_Berlin", u(1))
	adGroup(t, l, "Corp_AllSites", u(3))
	adGroup(t, l, "corp_Atlantis", u(4))
	platform := adGroup(t, l, "Platform", u(5))
	admins := adGroup(t, l, "Administrator", u(6))
	big := adGroup(t, l, "Big")
	var bigMembers []string
	provisioned := 0
	for i := 11; i <= users; i++ {
		bigMembers = append(bigMembers, u(i))
		if !samba.GeneratedUser(i).Disabled {
			provisioned++
		}
	}
	dc.AddMembers(t, big, bigMembers)
	dc.AddMembers(t, engineering, []string{platform}) // Platform is nested in Engineering

	c := newCLI(t)
	for _, args := range [][]string{
		{"permission-set", "add", "Engineering"}, {"permission-set", "add", "Platform"}, {"permission-set", "add", "Big"},
		{"site", "add", "Berlin"}, {"site", "add", "Paris"},
	} {
		c.mustRun(args...)
	}
	doc := sambaConnDoc(dc)
	doc["groupMembership"] = "member" // the groups' member attribute, in ranges of 1,500
	c.apply(doc)
	rep, code := c.sync("corp")
	if code != 0 || rep.Status != store.RunSucceeded {
		t.Fatalf("first sync: %d %+v", code, rep)
	}
	if got := ruleMembers(t, c, "Big"); got != provisioned {
		t.Fatalf("Big has %d rule members, want %d: the ranged member attribute was not read completely", got, provisioned)
	}
	rule := "rule:corp"
	upn := func(i int) string { return samba.GeneratedUser(i).UserPrincipalName }
	c.wantMemberships(upn(1), "permissionSet:Engineering:"+rule, "site:Berlin:"+rule)
	c.wantMemberships(upn(3), "site:Berlin:"+rule, "site:Paris:"+rule)
	c.wantMemberships(upn(4))
	c.wantMemberships(upn(5), "permissionSet:Platform:"+rule) // nested groups not followed by default
	if !c.show(upn(6)).User.SuperUser {
		t.Fatal("a member of Administrator is not a super user")
	}
	if !containsWarning(rep.Warnings, `group "corp_Atlantis" names site "Atlantis"`) {
		t.Fatalf("warnings = %q", rep.Warnings)
	}

	// memberOf (the automatic choice on AD) resolves the same memberships.
	c.apply(sambaConnDoc(dc))
	if rep, code := c.sync("corp"); code != 0 || rep.MembershipChanges != 0 {
		t.Fatalf("memberOf sync changed memberships: %d %+v", code, rep)
	}

	// Leaving groups in the directory; a hand-assigned set stays.
	c.mustRun("users", "assign", upn(1), "--permission-set", "Platform")
	del := ldapv3.NewModifyRequest(engineering, nil)
	del.Delete("member", []string{u(1)})
	dc.Modify(t, del)
	del = ldapv3.NewModifyRequest(admins, nil)
	del.Delete("member", []string{u(6)})
	dc.Modify(t, del)
	if rep, code := c.sync("corp"); code != 0 || rep.MembershipChanges != 2 {
		t.Fatalf("sync after leaving groups: %d %+v", code, rep)
	}
	c.wantMemberships(upn(1), "permissionSet:Platform:manual", "site:Berlin:"+rule)
	if c.show(upn(6)).User.SuperUser {
		t.Fatal("a user who left Administrator is still a super user")
	}

	t.Run("nested groups and a cycle", func(t *testing.T) {
		dc.AddMembers(t, platform, []string{engineering}) // Engineering ⊂ Platform ⊂ Engineering
		for _, mode := range []string{"member", "memberOf"} {
			d := sambaConnDoc(dc)
			d["followNestedGroups"], d["groupMembership"] = true, mode
			c.apply(d)
			if rep, code := c.sync("corp"); code != 0 || rep.Status != store.RunSucceeded {
				t.Fatalf("%s: nested sync: %d %+v", mode, code, rep)
			}
			c.wantMemberships(upn(5), "permissionSet:Platform:"+rule, "permissionSet:Engineering:"+rule)
			c.wantMemberships(upn(2), "permissionSet:Platform:"+rule, "permissionSet:Engineering:"+rule)
		}
		c.apply(sambaConnDoc(dc))
		if _, code := c.sync("corp"); code != 0 {
			t.Fatal("sync without nesting failed")
		}
		c.wantMemberships(upn(5), "permissionSet:Platform:"+rule)
	})

	t.Run("status rule", func(t *testing.T) {
		if c.show(upn(8)).User.Status != store.StatusActive {
			t.Fatal("with the status rule off a user in no group must be active")
		}
		d := sambaConnDoc(dc)
		d["groupStatusRule"] = true
		c.apply(d)
		rep, code := c.sync("corp")
		if code != 0 || c.show(upn(8)).User.Status != store.StatusInactive || c.show(upn(1)).User.Status != store.StatusActive {
			t.Fatalf("status rule: %d %+v", code, rep)
		}
		if rep.Deactivated != 4 { // user00006 to 9 are in no group now (user00010 is disabled)
			t.Fatalf("deactivated %d, want 4", rep.Deactivated)
		}
	})
}

func containsWarning(ws []string, sub string) bool {
	for _, w := range ws {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}
