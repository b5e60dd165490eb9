package main

import (
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestSeedGroupRulesSambaAD is TestSeedGroupRulesOpenLDAP on Active
// Directory: the same groups and users (generated users 1 to 9 stand for
// alice to ivan), memberships read from memberOf (the automatic choice) and
// from the groups' member attribute, in full, incremental and one-user runs.
func TestSeedGroupRulesSambaAD(t *testing.T) {
	dc := samba.StartWithUsers(t, 10)
	l := dc.Dial(t)
	const more = "OU=MoreGroups," + samba.BaseDN
	for _, ou := range []string{adGroups, more} {
		req := ldapv3.NewAddRequest(ou, nil)
		req.Attribute("objectClass", []string{"organizationalUnit"})
		if err := l.Add(req); err != nil {
			t.Fatal(err)
		}
	}
	userNo := map[string]int{}
	for i, u := range seedUsers {
		userNo[u] = i + 1
	}
	upn := func(u string) string { return samba.GeneratedUser(userNo[u]).UserPrincipalName }
	groupDN := func(name string) string {
		for _, g := range seedGroups {
			if g.name == name && g.other {
				return "CN=" + ldapv3.EscapeDN(name) + "," + more
			}
		}
		return "CN=" + ldapv3.EscapeDN(name) + "," + adGroups
	}
	for i, g := range seedGroups {
		req := ldapv3.NewAddRequest(groupDN(g.name), nil)
		req.Attribute("objectClass", []string{"group"})
		req.Attribute("sAMAccountName", []string{"seed-group-" + string(rune('a'+i))}) // unique whatever the case of the cn
		if err := l.Add(req); err != nil {
			t.Fatalf("add group %s: %v", g.name, err)
		}
	}
	for _, g := range seedGroups {
		var members []string
		for _, m := range g.members {
			if n, ok := userNo[m]; ok {
				members = append(members, samba.GeneratedUserDN(n))
			} else {
				members = append(members, groupDN(m))
			}
		}
		dc.AddMembers(t, groupDN(g.name), members)
	}
	// rename maps the OpenLDAP tests' user names to UPNs.
	rename := func(want map[string][]string) map[string][]string {
		out := map[string][]string{}
		for u, ms := range want {
			out[upn(u)] = ms
		}
		return out
	}
	var upns []string
	for _, u := range seedUsers {
		upns = append(upns, upn(u))
	}
	checkAD := func(t *testing.T, c *cli, want map[string][]string) {
		t.Helper()
		for _, u := range upns {
			s := c.wantMemberships(u, want[u]...)
			if s.User.SuperUser != (u == upn("erin")) {
				t.Errorf("%s: super user %v", u, s.User.SuperUser)
			}
		}
	}

	cases := []struct {
		name           string
		membership     string
		parent, nested bool
	}{
		{"memberOf", "", false, false},
		{"member attribute", "member", false, false},
		{"memberOf, parent group and nested groups", "", true, true},
		{"member attribute, nested groups", "member", false, true},
		{"memberOf, parent group", "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := sambaConnDoc(dc)
			if tc.membership != "" {
				doc["groupMembership"] = tc.membership
			}
			if tc.parent {
				doc["parentGroup"] = groupDN("APM")
			}
			doc["followNestedGroups"] = tc.nested
			want := rename(seedWant(tc.parent, tc.nested))

			full := newCLI(t)
			for _, args := range seedEntities {
				full.mustRun(args...)
			}
			full.apply(doc)
			rep := full.mustSync("corp")
			if rep.Mode != store.ModeFull || rep.Created != len(seedUsers)+0 {
				t.Fatalf("full run: %+v", rep)
			}
			checkAD(t, full, want)

			for i := range seedUsers {
				dc.Replace(t, samba.GeneratedUserDN(i+1), "title", "changed by "+tc.name)
			}
			rep = full.mustSync("corp")
			if rep.Mode != store.ModeIncremental || rep.MembershipChanges != 0 {
				t.Fatalf("incremental run over changed entries: %+v", rep)
			}
			checkAD(t, full, want)

			one := newCLI(t)
			for _, args := range seedEntities {
				one.mustRun(args...)
			}
			one.apply(doc)
			for _, u := range upns {
				if out := one.mustRun("users", "add", "--connection", "corp", u, "--json"); !strings.Contains(out, `"created": 1`) {
					t.Fatalf("users add %s:\n%s", u, out)
				}
			}
			checkAD(t, one, want)
			// A second one-user add of a user already provisioned keeps
			// what the rules gave.
			one.mustRun("users", "add", "--connection", "corp", upn("alice"), "--json")
			checkAD(t, one, want)
		})
	}

	// Removal and the status rule, through one-user adds and a sync.
	t.Run("removed and status rule", func(t *testing.T) {
		doc := sambaConnDoc(dc)
		doc["groupStatusRule"] = true
		c := newCLI(t)
		for _, args := range seedEntities {
			c.mustRun(args...)
		}
		c.apply(doc)
		c.mustSync("corp")
		if got := c.show(upn("frank")).User.Status; got != store.StatusInactive {
			t.Fatalf("frank, in no group, is %s", got)
		}
		alice := samba.GeneratedUserDN(userNo["alice"])
		del := ldapv3.NewModifyRequest(groupDN("Engineering"), nil)
		del.Delete("member", []string{alice})
		dc.Modify(t, del)
		c.runNotAdded("users", "add", "--connection", "corp", upn("alice"), "--json")
		if s := c.wantMemberships(upn("alice")); s.User.Status != store.StatusInactive {
			t.Fatalf("alice, now in no group, is %s after a one-user add", s.User.Status)
		}
		dc.AddMembers(t, groupDN("Engineering"), []string{alice})
		rep := c.mustSync("corp")
		if s := c.wantMemberships(upn("alice"), rename(seedWant(false, false))[upn("alice")]...); s.User.Status != store.StatusActive {
			t.Fatalf("alice, back in Engineering, is %s: %+v", s.User.Status, rep)
		}
	})
}
