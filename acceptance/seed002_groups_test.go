package acceptance

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// groupDirectory is a directory flavor the group rules must work on: Active
// Directory keeps memberOf on users, OpenLDAP only member on groups.
type groupDirectory struct {
	name string
	// setup builds users u1 and u2 and the groups (cn → member logins),
	// applies the connection, and returns the connection name, the users'
	// IDs, and a function that replaces a group's members.
	setup func(t *testing.T, a *admin, groups map[string][]string) (conn string, ids map[string]string, setMembers func(group string, logins ...string))
}

var groupDirectories = []groupDirectory{
	{name: "ActiveDirectory", setup: func(t *testing.T, a *admin, groups map[string][]string) (string, map[string]string, func(string, ...string)) {
		ou := newOU(t)
		dns := map[string]string{"u1": ou.addUser("u1", samba.UserSpec{}), "u2": ou.addUser("u2", samba.UserSpec{})}
		groupDN := map[string]string{}
		for cn, logins := range groups {
			var members []string
			for _, l := range logins {
				members = append(members, dns[l])
			}
			groupDN[cn] = ou.addGroup(cn, members...)
		}
		a.apply(ou.source("ad", map[string]any{"groupSearchPath": ou.dn}))
		set := func(group string, logins ...string) {
			var members []string
			for _, l := range logins {
				members = append(members, dns[l])
			}
			ou.dc.Replace(t, groupDN[group], "member", members...)
		}
		return "ad", map[string]string{"u1": ou.upn("u1"), "u2": ou.upn("u2")}, set
	}},
	{name: "OpenLDAP", setup: func(t *testing.T, a *admin, groups map[string][]string) (string, map[string]string, func(string, ...string)) {
		s := startSlapd(t, []ldapUser{{uid: "u1"}, {uid: "u2"}}, groups)
		a.apply(slapdSource(s, "ldap", nil))
		c := slapdConn(t, s)
		set := func(group string, logins ...string) {
			members := []string{"ou=people,dc=example,dc=com"} // groupOfNames needs a member
			for _, l := range logins {
				members = append(members, peopleDN(l))
			}
			modify(t, c, "cn="+group+",ou=groups,dc=example,dc=com", "member", members...)
		}
		return "ldap", map[string]string{"u1": "u1", "u2": "u2"}, set
	}},
}

// "The User will be associated with each APM Permission Set, whose name
// matches exactly the name of a ... Group to which that user belongs", and
// "will be removed from each APM Permission Set, whose name does not match";
// the same for APM Groups; <data source>_<site> and <data source>_AllSites
// assign sites; "Any user under a group named as Administrator, will be a
// super user".
func TestSeed002_GroupNamesAssignPermissionSetsGroupsSitesAndSuperUser(t *testing.T) {
	for _, st := range stores {
		for _, d := range groupDirectories {
			t.Run(d.name+"/"+st.name, func(t *testing.T) {
				groupRulesScenario(t, d, st.newAdmin(t))
			})
		}
	}
}

// groupRulesScenario checks the group-name rules on one directory and store.
func groupRulesScenario(t *testing.T, d groupDirectory, a *admin) {
	for _, e := range [][]string{
		{"permission-set", "Engineering"}, {"permission-set", "Finance"},
		{"group", "Pumps"}, {"site", "Rome"}, {"site", "Oslo"},
	} {
		a.must(e[0], "add", e[1])
	}
	// The site groups are named after the connection, which the
	// setup chooses; both names are created and only one applies.
	groups := map[string][]string{
		"Engineering": {"u1"}, "FINANCE": {"u2"}, "Engineering Team": {"u2"},
		"Pumps": {"u1"}, "Administrator": {"u1"},
		"ad_Rome": {"u1"}, "ldap_Rome": {"u1"}, "ad_AllSites": {"u2"}, "ldap_AllSites": {"u2"},
		"ad_Paris": {"u1"}, "ldap_Paris": {"u1"},
	}
	conn, ids, setMembers := d.setup(t, a, groups)
	rep := a.mustSync(conn)
	// "Ensure that you have created, in APM, each site that you want
	// to associate": a group naming a missing site is a warning.
	if !strings.Contains(strings.Join(rep.Warnings, " "), "Paris") {
		t.Errorf("no warning for the group naming the missing site Paris: %q", rep.Warnings)
	}
	if _, ok := a.memberships(ids["u1"])["site:Paris"]; ok {
		t.Errorf("u1 got the site Paris, which does not exist")
	}

	u1 := a.memberships(ids["u1"])
	for _, k := range []string{"permissionSet:Engineering", "group:Pumps", "site:Rome"} {
		if _, ok := u1[k]; !ok {
			t.Errorf("u1 lacks %s: %v", k, u1)
		}
	}
	if _, ok := u1["site:Oslo"]; ok {
		t.Errorf("u1 got site Oslo without a group for it: %v", u1)
	}
	if !a.user(ids["u1"]).SuperUser {
		t.Errorf("u1, a member of Administrator, is not a super user")
	}
	u2 := a.memberships(ids["u2"])
	for _, k := range []string{"permissionSet:Engineering", "permissionSet:Finance"} {
		if _, ok := u2[k]; ok {
			t.Errorf("u2 got %s from a group whose name only nearly matches: %v", k, u2)
		}
	}
	for _, k := range []string{"site:Rome", "site:Oslo"} {
		if _, ok := u2[k]; !ok {
			t.Errorf("u2, in %s_AllSites, lacks %s: %v", conn, k, u2)
		}
	}

	setMembers("Engineering")
	setMembers("Administrator")
	a.mustSync(conn)
	u1 = a.memberships(ids["u1"])
	if _, ok := u1["permissionSet:Engineering"]; ok {
		t.Errorf("u1 left the Engineering group but keeps the permission set: %v", u1)
	}
	if a.user(ids["u1"]).SuperUser {
		t.Errorf("u1 left Administrator but is still a super user")
	}
}

// "Synchronization overwrites all APM User site assignments, Permission Set
// assignments, group assignments": with "manualAssignments": "overwrite" an
// assignment made by hand in the application does not survive the next
// sync. The default, keep, is a deliberate choice: an operator's
// assignments cannot be recovered from the directory, so they are removed
// only when the connection says so.
func TestSeed002_SyncOverwritesManualAssignments(t *testing.T) {
	for _, tc := range []struct {
		manual string
		want   int
	}{
		{"", 1},
		{"overwrite", 0},
	} {
		t.Run("manualAssignments="+tc.manual, func(t *testing.T) {
			ou := newOU(t)
			ou.addUser("man", samba.UserSpec{})
			a := newAdmin(t)
			a.must("permission-set", "add", "Finance")
			extra := map[string]any{"groupSearchPath": ou.dn}
			if tc.manual != "" {
				extra["manualAssignments"] = tc.manual
			}
			a.apply(ou.source("ad", extra))
			a.mustSync("ad")
			a.must("users", "assign", ou.upn("man"), "--permission-set", "Finance")
			a.mustSync("ad", "--full")
			if m := a.memberships(ou.upn("man")); len(m) != tc.want {
				t.Fatalf("memberships after sync: %v, want %d (the directory gives none)", m, tc.want)
			}
		})
	}
}

// "Synchronization overwrites ... all other mapped information with the most
// recent information": an operator's edit of a mapped field is replaced.
func TestSeed002_SyncOverwritesEditedMappedField(t *testing.T) {
	ou := newOU(t)
	ou.addUser("edit", samba.UserSpec{Department: "Sales"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	u := a.user(ou.upn("edit"))
	a.must("users", "set", jsonNumber(u.ID), "department", "Edited by hand")
	a.mustSync("ad")
	if got := a.user(ou.upn("edit")).Fields["department"]; got != "Sales" {
		t.Fatalf("department after sync = %q, want the directory's %q", got, "Sales")
	}
}

// "To initiate the sync, create a parent group such as APM. Create the
// sub-groups which have the same name as the permission sets": with a parent
// group, only its sub-groups assign permission sets.
func TestSeed002_OnlySubGroupsOfParentGroupCount(t *testing.T) {
	ou := newOU(t)
	u := ou.addUser("sub", samba.UserSpec{})
	eng := ou.addGroup("Engineering", u)
	ou.addGroup("Finance", u)
	apm := ou.addGroup("APM", eng)
	a := newAdmin(t)
	a.must("permission-set", "add", "Engineering")
	a.must("permission-set", "add", "Finance")
	a.apply(ou.source("ad", map[string]any{"groupSearchPath": ou.dn, "parentGroup": apm}))
	a.mustSync("ad")
	m := a.memberships(ou.upn("sub"))
	if _, ok := m["permissionSet:Engineering"]; !ok {
		t.Errorf("sub-group Engineering gave no permission set: %v", m)
	}
	if _, ok := m["permissionSet:Finance"]; ok {
		t.Errorf("Finance, not a sub-group of APM, gave a permission set: %v", m)
	}
}

// "User Status after AD Synchronization ... The user is not assigned to any
// ... Groups": with the group status rule, a user in no group is inactive.
func TestSeed002_UserInNoGroupIsInactive(t *testing.T) {
	ou := newOU(t)
	in := ou.addUser("in", samba.UserSpec{})
	ou.addUser("out", samba.UserSpec{})
	ou.addGroup("Engineering", in)
	a := newAdmin(t)
	a.apply(ou.source("ad", map[string]any{"groupSearchPath": ou.dn, "groupStatusRule": true}))
	a.mustSync("ad")
	if got := a.user(ou.upn("in")).Status; got != "active" {
		t.Errorf("user in a group is %s, want active", got)
	}
	for _, u := range a.users() {
		if u.UserID == ou.upn("out") && u.Status == "active" {
			t.Errorf("user in no group is active")
		}
	}
}
