package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// addPerson adds an inetOrgPerson under cn=CN with the given uid to slapd.
func addPerson(t *testing.T, l *ldapv3.Conn, cn, uid string) {
	t.Helper()
	req := ldapv3.NewAddRequest("cn="+cn+","+slapd.PeopleDN, nil)
	req.Attribute("objectClass", []string{"inetOrgPerson"})
	req.Attribute("cn", []string{cn})
	req.Attribute("sn", []string{"Test"})
	req.Attribute("uid", []string{uid})
	req.Attribute("mail", []string{strings.ReplaceAll(cn, " ", ".") + "@example.test"})
	if err := l.Add(req); err != nil {
		t.Fatalf("add %s: %v", cn, err)
	}
}

// activeUserIDs returns the userIds of the store's active users that
// equal userID under Unicode case folding.
func (c *cli) activeUserIDs(userID string) []string {
	c.t.Helper()
	out, code := c.run("users", "list", "--json")
	if code != 0 {
		c.t.Fatalf("users list: %d %s", code, out)
	}
	var list []listedUser
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		c.t.Fatalf("users list --json: %v\n%s", err, out)
	}
	var ids []string
	for _, u := range list {
		if u.Status == store.StatusActive && strings.EqualFold(u.UserID, userID) {
			ids = append(ids, u.UserID)
		}
	}
	return ids
}

// TestUnicodeUserIDsAcrossRuns: two active users never share a userId,
// compared case-insensitively, and case is Unicode's. OpenLDAP entries with
// the uids JÜRGEN and jürgen (or SAM and ſam, ΝΊΚΟΣ and νίκος), the second
// added after the first was synced, give one active user: the second
// (incremental) run refuses the newcomer with a failed outcome naming the
// holder and still succeeds, on SQLite and on PostgreSQL.
func TestUnicodeUserIDsAcrossRuns(t *testing.T) {
	pairs := []struct{ first, second string }{
		{"JÜRGEN", "jürgen"},
		{"SAM", "ſam"},
		{"ΝΊΚΟΣ", "νίκος"},
	}
	s := slapd.Start(t, 2, 0)
	l := adminConn(t, s)
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t)
			c.db = keyStores(t)[name](t)
			doc := connDoc(s)
			doc["searchFilter"] = "(&(objectClass=inetOrgPerson)(cn=Fold " + name + "*))"
			c.apply(doc)
			for i, p := range pairs {
				addPerson(t, l, fmt.Sprintf("Fold %s %d a", name, i), p.first)
			}
			if rep := c.mustSync("corp"); rep.Created != len(pairs) {
				t.Fatalf("first run: %+v, want %d created", rep.Counts, len(pairs))
			}
			for i, p := range pairs {
				addPerson(t, l, fmt.Sprintf("Fold %s %d b", name, i), p.second)
			}
			rep := c.mustSync("corp")
			if rep.Created != 0 || rep.Failed != len(pairs) || rep.Status != store.RunSucceeded {
				t.Fatalf("second run (%s): %+v, want the %d newcomers refused", rep.Status, rep.Counts, len(pairs))
			}
			out := c.outcomes(rep.ID, "failed")
			for _, p := range pairs {
				if !strings.Contains(out, fmt.Sprintf(`userId \"%s\" is already held by user \"%s\"`, p.second, p.first)) {
					t.Errorf("no failed outcome refusing %s for %s:\n%s", p.second, p.first, out)
				}
				if ids := c.activeUserIDs(p.second); len(ids) != 1 || ids[0] != p.first {
					t.Errorf("active users for %s = %q, want only %s", p.second, ids, p.first)
				}
			}
		})
	}
}
