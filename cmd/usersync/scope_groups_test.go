package main

import (
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestScopeGroupsOpenLDAP: a scope that lists a group provisions the
// group's direct members on an OpenLDAP server that keeps no memberOf (the
// test server has no memberOf overlay), in full, incremental and one-user
// runs, and a scope that would match nobody is an error, not silence.
func TestScopeGroupsOpenLDAP(t *testing.T) {
	const n, groups = 200, 10 // group001 holds users 1, 11, 21, … 191
	s := slapd.Start(t, n, groups)
	group1 := "cn=" + slapd.GroupName(1) + "," + slapd.GroupsDN
	doc := connDoc(s)
	doc["groupRules"] = false // the scope alone, without the group phase's full runs
	doc["scope"] = map[string]any{"groups": []string{group1}}
	c := newCLI(t)
	c.apply(doc)

	rep := c.mustSync("corp")
	if rep.Created != n/groups || rep.Skipped != n-n/groups {
		t.Fatalf("first sync: created %d, skipped %d; want %d and %d: %+v", rep.Created, rep.Skipped, n/groups, n-n/groups, rep)
	}
	users := c.users()
	user(t, users, slapd.UID(11))
	if _, ok := users[slapd.UID(2)]; ok {
		t.Fatalf("%s, in no listed group, was provisioned", slapd.UID(2))
	}

	if rep := c.mustSync("corp"); rep.Mode != store.ModeIncremental || rep.Created+rep.Updated+rep.Deactivated != 0 {
		t.Fatalf("unchanged re-sync: %+v", rep)
	}

	// Joining and leaving the group changes no user entry; the next run
	// must still see it.
	l := adminConn(t, s)
	if err := l.Modify(ldapAdd(group1, slapd.UserDN(2))); err != nil {
		t.Fatal(err)
	}
	if err := l.Modify(ldapModify(group1, slapd.UserDN(11))); err != nil {
		t.Fatal(err)
	}
	rep = c.mustSync("corp")
	if rep.Created != 1 || rep.Deactivated != 1 {
		t.Fatalf("after user 2 joined and user 11 left the group: %+v", rep)
	}
	users = c.users()
	if user(t, users, slapd.UID(2)).Status != store.StatusActive || user(t, users, slapd.UID(11)).Status != store.StatusInactive {
		t.Fatalf("user 2 = %+v, user 11 = %+v", users[slapd.UID(2)], users[slapd.UID(11)])
	}

	t.Run("one-user add", func(t *testing.T) {
		if err := l.Modify(ldapAdd(group1, slapd.UserDN(3))); err != nil {
			t.Fatal(err)
		}
		if out := c.mustRun("users", "add", "--connection", "corp", slapd.UID(3), "--json"); !strings.Contains(out, `"created": 1`) {
			t.Fatalf("adding a member of the scope's group:\n%s", out)
		}
		if out, code := c.run("users", "add", "--connection", "corp", slapd.UID(4), "--json"); code != exitNotAdded || strings.Contains(out, `"created": 1`) {
			t.Fatalf("a user in no listed group was added (exit %d, want %d):\n%s", code, exitNotAdded, out)
		}
		if _, ok := c.users()[slapd.UID(4)]; ok {
			t.Fatalf("%s, in no listed group, was provisioned", slapd.UID(4))
		}
	})

	t.Run("matches nobody", func(t *testing.T) {
		tests := []struct {
			name, group, searchPath, filter, want string
		}{
			{"missing group", "cn=nosuch," + slapd.GroupsDN, slapd.PeopleDN, "",
				"scope.groups[0]: cn=nosuch," + slapd.GroupsDN + ": the group does not exist"},
			{"members outside the search path", group1, "ou=nobody," + slapd.PeopleDN, "",
				"none is under the search path"},
			// Every member of group006 (6, 16, … 196) is in Engineering.
			{"members outside the search filter", "cn=" + slapd.GroupName(6) + "," + slapd.GroupsDN, slapd.PeopleDN, "(&(objectClass=inetOrgPerson)(!(ou=Engineering)))",
				"none of the groups' 20 members under the search path passes the search filter"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				d := connDoc(s)
				d["groupRules"] = false
				d["searchPath"] = tt.searchPath
				if tt.filter != "" {
					d["searchFilter"] = tt.filter
				}
				d["scope"] = map[string]any{"groups": []string{tt.group}}
				c.apply(d)
				rep, code := c.sync("corp")
				if code == 0 || rep.Status != store.RunFailed || !strings.Contains(rep.Error, tt.want) {
					t.Fatalf("sync: exit %d, %s %q; want a failure saying %q", code, rep.Status, rep.Error, tt.want)
				}
				if got := countStatus(c.users(), store.StatusActive); got != n/groups+1 {
					t.Fatalf("%d users active after the failed run, want %d: nobody may be deactivated", got, n/groups+1)
				}
			})
		}
	})
}

// TestScopeGroupsSambaAD: on Active Directory a scope that lists a group
// provisions its direct members (read from memberOf and from the group), a
// membership change reaches the next run although the user entries do not
// change, and a one-user add honours the scope.
func TestScopeGroupsSambaAD(t *testing.T) {
	const users = 30 // user00010, 20, 30 are disabled
	dc := samba.StartWithUsers(t, users)
	u := samba.GeneratedUserDN
	upn := func(i int) string { return samba.GeneratedUser(i).UserPrincipalName }
	app := dc.AddGroup(t, "App Users", []string{u(1), u(2), u(3)})
	c := newCLI(t)
	c.apply(adDoc(dc, map[string]any{"groupRules": false, "scope": map[string]any{"groups": []string{app}}}))

	if rep := c.mustSync("ad"); rep.Created != 3 || rep.Skipped != users-3 {
		t.Fatalf("first sync: %+v", rep)
	}
	if rep := c.mustSync("ad"); rep.Mode != store.ModeIncremental || rep.Created+rep.Updated+rep.Deactivated != 0 {
		t.Fatalf("unchanged re-sync: %+v", rep)
	}
	dc.AddMembers(t, app, []string{u(4)})
	del := ldapv3.NewModifyRequest(app, nil)
	del.Delete("member", []string{u(1)})
	dc.Modify(t, del)
	if rep := c.mustSync("ad"); rep.Created != 1 || rep.Deactivated != 1 {
		t.Fatalf("after user 4 joined and user 1 left the group: %+v", rep)
	}
	all := c.users()
	if user(t, all, upn(4)).Status != store.StatusActive || user(t, all, upn(1)).Status != store.StatusInactive {
		t.Fatalf("user 4 = %+v, user 1 = %+v", all[strings.ToLower(upn(4))], all[strings.ToLower(upn(1))])
	}

	dc.AddMembers(t, app, []string{u(5)})
	if out := c.mustRun("users", "add", "--connection", "ad", upn(5), "--json"); !strings.Contains(out, `"created": 1`) {
		t.Fatalf("adding a member of the scope's group:\n%s", out)
	}
	c.runNotAdded("users", "add", "--connection", "ad", upn(6), "--json")
	if _, ok := c.users()[strings.ToLower(upn(6))]; ok {
		t.Fatalf("%s, in no listed group, was provisioned", upn(6))
	}

	// Domain Users is every user's primary group: Active Directory lists
	// that membership in neither member nor memberOf, only in the user's
	// primaryGroupID.
	t.Run("primary group", func(t *testing.T) {
		c := newCLI(t)
		c.apply(adDoc(dc, map[string]any{"groupRules": false, "scope": map[string]any{"groups": []string{"CN=Domain Users," + samba.UsersDN}}}))
		if rep := c.mustSync("ad"); rep.Created != users-3 {
			t.Fatalf("a scope of Domain Users created %d users, want every enabled one (%d): %+v", rep.Created, users-3, rep)
		}
	})
}
