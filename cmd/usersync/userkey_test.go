package main

import (
	"encoding/json"
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
// compared case-insensitively, and case is Unicode's. Two OpenLDAP entries
// with the uids JÜRGEN and jürgen, the second added after the first was
// synced, give one active user: the second (incremental) run refuses
// jürgen, naming the holder, on SQLite and on PostgreSQL.
func TestUnicodeUserIDsAcrossRuns(t *testing.T) {
	s := slapd.Start(t, 2, 0)
	l := adminConn(t, s)
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t)
			c.db = keyStores(t)[name](t)
			doc := connDoc(s)
			doc["searchFilter"] = "(&(objectClass=inetOrgPerson)(cn=Juergen*" + name + "))"
			c.apply(doc)
			addPerson(t, l, "Juergen One "+name, "JÜRGEN")
			if rep := c.mustSync("corp"); rep.Created != 1 {
				t.Fatalf("first run: %+v, want JÜRGEN created", rep.Counts)
			}
			addPerson(t, l, "Juergen Two "+name, "jürgen")
			rep := c.mustSync("corp")
			if rep.Created != 0 || rep.Failed != 1 {
				t.Fatalf("second run: %+v, want jürgen refused", rep.Counts)
			}
			if out := c.outcomes(rep.ID, "failed"); !strings.Contains(out, `userId \"jürgen\" is already held by user \"JÜRGEN\"`) {
				t.Fatalf("failed outcome does not name the holder:\n%s", out)
			}
			if ids := c.activeUserIDs("jürgen"); len(ids) != 1 || ids[0] != "JÜRGEN" {
				t.Fatalf("active users for jürgen = %q, want only JÜRGEN", ids)
			}
		})
	}
}
