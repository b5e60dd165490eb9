package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/demodir"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// addOne runs `users add --json` (a dry run when dry) and returns its report.
func (c *cli) addOne(conn, query string, dry bool) reconcile.Report {
	c.t.Helper()
	args := []string{"users", "add", "--connection", conn, query, "--json"}
	if dry {
		args = append(args, "--dry-run")
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), append(args, "--db", c.db), strings.NewReader(""), &out, &errb)
	var rep reconcile.Report
	err := json.Unmarshal(out.Bytes(), &rep)
	// A user the run leaves inactive (deactivated, disabled, out of scope)
	// was read but not added: exitNotAdded, with the run report all the same.
	if code == exitNotAdded && err == nil && rep.Created == 0 && rep.Updated+rep.Unchanged+rep.Deactivated+rep.Deleted+rep.Skipped+rep.Failed > 0 {
		return rep
	}
	if code != 0 || err != nil {
		c.t.Fatalf("users add --json: exit %d, %v\n%s%s", code, err, out.String(), errb.String())
	}
	return rep
}

// wantNoChange checks that a one-user run of an already synced user plans
// and changes nothing: no field, no membership, no super-user flag.
func wantNoChange(t *testing.T, rep reconcile.Report) {
	t.Helper()
	if rep.Created+rep.Updated+rep.Deactivated+rep.Failed != 0 || rep.MembershipChanges != 0 || rep.Unchanged != 1 {
		t.Fatalf("a one-user run of a synced user changed something: %+v", rep.Counts)
	}
	for _, o := range rep.Plan {
		t.Fatalf("a one-user run of a synced user planned %s %s: %+v", o.Action, o.UserID, o.Changes)
	}
}

// TestUsersAddKeepsGroupRulesOpenLDAP: adding or updating one directory
// user by hand applies the connection's group rules exactly as a full run
// does, on OpenLDAP where memberships come from the groups' member.
func TestUsersAddKeepsGroupRulesOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, groupsLDIF())
	c := newCLI(t)
	c.apply(connDoc(s))
	for _, args := range [][]string{{"permission-set", "add", "Engineering"}, {"group", "add", "Engineering"}, {"site", "add", "Berlin"}} {
		c.mustRun(args...)
	}
	c.mustSync("corp")
	rule := "rule:corp"
	for _, dry := range []bool{true, false} {
		wantNoChange(t, c.addOne("corp", "alice", dry))
		wantNoChange(t, c.addOne("corp", "carol", dry))
	}
	c.wantMemberships("alice", "permissionSet:Engineering:"+rule, "group:Engineering:"+rule, "site:Berlin:"+rule)
	if !c.show("carol").User.SuperUser {
		t.Fatal("users add cleared carol's super-user flag")
	}
}

// TestUsersAddKeepsGroupRulesSambaAD is the same on Active Directory, where
// memberships are read from the user's memberOf.
func TestUsersAddKeepsGroupRulesSambaAD(t *testing.T) {
	dc := samba.StartWithUsers(t, 12)
	l := dc.Dial(t)
	ou := ldapv3.NewAddRequest(adGroups, nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	if err := l.Add(ou); err != nil {
		t.Fatal(err)
	}
	u := samba.GeneratedUserDN
	adGroup(t, l, "Engineering", u(1))
	adGroup(t, l, "corp_Berlin", u(1))
	adGroup(t, l, "Administrator", u(2))
	c := newCLI(t)
	c.mustRun("permission-set", "add", "Engineering")
	c.mustRun("site", "add", "Berlin")
	c.apply(sambaConnDoc(dc)) // memberOf is the automatic choice on AD
	c.mustSync("corp")
	upn := func(i int) string { return samba.GeneratedUser(i).UserPrincipalName }
	rule := "rule:corp"
	c.wantMemberships(upn(1), "permissionSet:Engineering:"+rule, "site:Berlin:"+rule)
	for _, dry := range []bool{true, false} {
		wantNoChange(t, c.addOne("corp", upn(1), dry))
		wantNoChange(t, c.addOne("corp", upn(2), dry))
	}
	c.wantMemberships(upn(1), "permissionSet:Engineering:"+rule, "site:Berlin:"+rule)
	if !c.show(upn(2)).User.SuperUser {
		t.Fatal("users add cleared the super-user flag of a member of Administrator")
	}
}

// TestUsersAddKeepsGroupRulesDemo is the same in the demo, whose Active
// Directory look-alike lists every person's groups in memberOf: adding a
// synced super user by hand keeps their flag and their memberships.
func TestUsersAddKeepsGroupRulesDemo(t *testing.T) {
	ctx := context.Background()
	dir, err := demodir.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Stop()
	c := newCLI(t)
	conn := dir.Connection("demo")
	doc, _ := json.Marshal(conn)
	var m map[string]any
	json.Unmarshal(doc, &m)
	m["password"] = conn.Password
	delete(m, "hasPassword")
	c.apply(m)
	a := apptest.Open(t, c.db, nil)
	if err := demoEntities(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Close()
	c.mustSync("demo")
	var super string
	for id := range c.users() {
		if c.show(id).User.SuperUser {
			super = id
			break
		}
	}
	if super == "" {
		t.Fatal("the demo sync made nobody a super user")
	}
	before := c.show(super).has()
	if len(before) == 0 {
		t.Fatalf("%s holds no memberships after the demo sync", super)
	}
	for _, dry := range []bool{true, false} {
		wantNoChange(t, c.addOne("demo", super, dry))
	}
	if s := c.show(super); !s.User.SuperUser || !slices.Equal(s.has(), before) {
		t.Fatalf("users add changed %s: super user %v, memberships %q, before %q", super, s.User.SuperUser, s.has(), before)
	}
}
