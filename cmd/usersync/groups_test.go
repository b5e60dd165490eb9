package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// shown is what `users show --json` prints.
type shown struct {
	User        store.User         `json:"user"`
	Memberships []store.Membership `json:"memberships"`
}

func (c *cli) show(userID string) shown {
	c.t.Helper()
	out, code := c.run("users", "show", userID, "--json")
	var s shown
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil {
		c.t.Fatalf("users show %s: %d %s", userID, code, out)
	}
	return s
}

// has lists a user's memberships as "kind:name:source" strings, sorted.
func (s shown) has() []string {
	var out []string
	for _, m := range s.Memberships {
		out = append(out, m.Kind+":"+m.Name+":"+m.Source)
	}
	slices.Sort(out)
	return out
}

func (c *cli) wantMemberships(userID string, want ...string) shown {
	c.t.Helper()
	s := c.show(userID)
	slices.Sort(want)
	if got := s.has(); !slices.Equal(got, want) {
		c.t.Fatalf("%s holds %q, want %q", userID, got, want)
	}
	return s
}

func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	out, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("usersync %s: exit %d: %s", strings.Join(args, " "), code, out)
	}
	return out
}

// runNotAdded runs a `users add` that must read the entry but leave the user
// inactive, which exits exitNotAdded.
func (c *cli) runNotAdded(args ...string) string {
	c.t.Helper()
	out, code := c.run(args...)
	if code != exitNotAdded {
		c.t.Fatalf("usersync %s: exit %d, want %d (read, not added): %s", strings.Join(args, " "), code, exitNotAdded, out)
	}
	return out
}

// groupsLDIF is a small OpenLDAP directory whose groups match permission
// sets, application groups, sites and the administrator group by name.
func groupsLDIF() []byte {
	var b strings.Builder
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n\n", u, slapd.PeopleDN, u, u, u)
	}
	group := func(name string, members ...string) {
		// groupOfNames needs a member even when the test empties a group.
		fmt.Fprintf(&b, "dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\nmember: %s\n", name, slapd.GroupsDN, name, slapd.GroupsDN)
		for _, m := range members {
			fmt.Fprintf(&b, "member: uid=%s,%s\n", m, slapd.PeopleDN)
		}
		b.WriteString("\n")
	}
	group("Engineering", "alice", "bob")
	group("corp_Berlin", "alice")
	group("CORP_AllSites", "bob")
	group("corp_Atlantis", "carol")
	group("Administrator", "carol")
	return []byte(b.String())
}

// TestGroupRulesOpenLDAP checks the group rules against a real slapd,
// whose groups are read through their member attribute.
func TestGroupRulesOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, groupsLDIF())
	c := newCLI(t)
	c.apply(connDoc(s))
	for _, args := range [][]string{
		{"permission-set", "add", "Engineering"}, {"permission-set", "add", "Sales"}, {"group", "add", "Engineering"},
		{"site", "add", "Berlin"}, {"site", "add", "Paris"},
	} {
		c.mustRun(args...)
	}
	dry, code := c.sync("corp", "--dry-run")
	if code != 0 || dry.MembershipChanges != 3 || !planHas(dry.Plan, "alice", "permissionSet", "Engineering") {
		t.Fatalf("dry run: %d %+v", code, dry)
	}
	rep, code := c.sync("corp")
	if code != 0 || rep.Created != 4 || rep.MembershipChanges != 3 {
		t.Fatalf("first sync: %d %+v", code, rep)
	}
	if w := withoutInsecure(rep.Warnings); len(w) != 1 || !strings.Contains(w[0], `carol: group "corp_Atlantis" names site "Atlantis", which does not exist`) {
		t.Fatalf("warnings = %q", rep.Warnings)
	}
	rule := "rule:corp"
	c.wantMemberships("alice", "permissionSet:Engineering:"+rule, "group:Engineering:"+rule, "site:Berlin:"+rule)
	c.wantMemberships("bob", "permissionSet:Engineering:"+rule, "group:Engineering:"+rule, "site:Berlin:"+rule, "site:Paris:"+rule)
	if s := c.wantMemberships("carol"); !s.User.SuperUser {
		t.Fatal("carol, in Administrator, is not a super user")
	}
	if s := c.wantMemberships("dave"); s.User.SuperUser || s.User.Status != store.StatusActive {
		t.Fatalf("dave = %+v", s.User)
	}
	out := c.mustRun("runs", "show", fmt.Sprint(rep.ID), "--json")
	if !strings.Contains(out, `"field": "permissionSet"`) || !strings.Contains(out, `"new": "Engineering"`) {
		t.Fatalf("run report lacks the membership changes:\n%s", out)
	}
	// A created user has one outcome, which lists what the rules gave it,
	// in the plan of a dry run as in the run's record.
	var shown struct {
		Outcomes []store.Outcome `json:"outcomes"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	for name, outs := range map[string][]store.Outcome{"dry run": dry.Plan, "sync": shown.Outcomes} {
		var alice []store.Outcome
		for _, o := range outs {
			if o.UserID == "alice" {
				alice = append(alice, o)
			}
		}
		if len(alice) != 1 || alice[0].Action != store.ActionCreated || !planHas(alice, "alice", "site", "Berlin") {
			t.Errorf("%s: alice's outcomes = %+v, want one created outcome with her memberships", name, alice)
		}
	}

	// Nothing changed: nothing is written.
	if rep, _ := c.sync("corp"); rep.MembershipChanges != 0 || rep.Created+rep.Updated+rep.Deactivated != 0 || (rep.Mode == store.ModeFull && rep.Unchanged != 4) {
		t.Fatalf("second sync: %+v", rep)
	}

	// Alice leaves Engineering and Carol leaves Administrator in the
	// directory; a hand-assigned permission set stays.
	c.mustRun("users", "assign", "alice", "--permission-set", "Sales")
	c.mustRun("users", "assign", "alice", "--permission-set", "Engineering")
	l := adminConn(t, s)
	for _, m := range []struct{ group, user string }{{"Engineering", "alice"}, {"Administrator", "carol"}} {
		req := ldapModify("cn="+m.group+","+slapd.GroupsDN, "uid="+m.user+","+slapd.PeopleDN)
		if err := l.Modify(req); err != nil {
			t.Fatal(err)
		}
	}
	rep, code = c.sync("corp")
	if code != 0 || rep.MembershipChanges != 2 {
		t.Fatalf("third sync: %d %+v", code, rep)
	}
	c.wantMemberships("alice", "permissionSet:Sales:manual", "permissionSet:Engineering:manual", "site:Berlin:"+rule)
	if c.show("carol").User.SuperUser {
		t.Fatal("carol left Administrator but is still a super user")
	}

	t.Run("status rule", func(t *testing.T) {
		doc := connDoc(s)
		doc["groupStatusRule"] = true
		c.apply(doc)
		rep, code := c.sync("corp")
		if code != 0 || rep.Deactivated != 1 {
			t.Fatalf("sync with the status rule: %d %+v", code, rep)
		}
		if got := c.show("dave").User.Status; got != store.StatusInactive {
			t.Fatalf("dave, in no group, is %s", got)
		}
		if rep, _ := c.sync("corp"); (rep.Mode == store.ModeFull && rep.Unchanged != 4) || rep.Updated != 0 || rep.Deactivated != 0 {
			t.Fatalf("the status rule must be stable across runs: %+v", rep)
		}
		add := ldapAdd("cn=Engineering,"+slapd.GroupsDN, "uid=dave,"+slapd.PeopleDN)
		if err := l.Modify(add); err != nil {
			t.Fatal(err)
		}
		if rep, _ := c.sync("corp"); rep.Updated != 1 || c.show("dave").User.Status != store.StatusActive {
			t.Fatalf("dave re-assigned: %+v", rep)
		}
		if err := l.Modify(ldapModify("cn=Engineering,"+slapd.GroupsDN, "uid=dave,"+slapd.PeopleDN)); err != nil {
			t.Fatal(err)
		}
		c.apply(connDoc(s)) // status rule off again
		if rep, _ := c.sync("corp"); rep.Deactivated != 0 || c.show("dave").User.Status != store.StatusActive {
			t.Fatalf("with the status rule off dave must stay active: %+v", rep)
		}
	})
}

func planHas(plan []store.Outcome, userID, field, value string) bool {
	for _, o := range plan {
		for _, ch := range o.Changes {
			if o.UserID == userID && ch.Field == field && ch.New == value {
				return true
			}
		}
	}
	return false
}

// withoutInsecure drops the warning every run of a plain-LDAP test
// connection with a password carries, to look at the others.
func withoutInsecure(ws []string) []string {
	var out []string
	for _, w := range ws {
		if !strings.HasPrefix(w, "insecure connection:") {
			out = append(out, w)
		}
	}
	return out
}
