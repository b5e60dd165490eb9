package main

import (
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestEmptyNameFails: a user's name is mandatory. An entry whose name
// mapping gives no value (attribute missing, or only blanks) fails with a
// reason naming displayName, in a full run, an incremental run and a
// one-user add alike; a synced user whose name the mapping would clear
// fails too and keeps the name.
func TestEmptyNameFails(t *testing.T) {
	s := slapd.Start(t, 5, 0)
	l := adminConn(t, s)
	unset := func(i int) {
		t.Helper()
		m := ldapv3.NewModifyRequest(slapd.UserDN(i), nil)
		m.Delete("displayName", nil)
		if err := l.Modify(m); err != nil {
			t.Fatal(err)
		}
	}
	unset(2)
	blank := ldapv3.NewModifyRequest(slapd.UserDN(4), nil)
	blank.Replace("displayName", []string{"  "})
	if err := l.Modify(blank); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	doc := connDoc(s)
	doc["mappings"] = []any{
		map[string]any{"source": "uid", "target": "userId"},
		map[string]any{"source": "displayName", "target": "displayName", "clearWhenEmpty": true},
		map[string]any{"source": "mail", "target": "email"},
	}
	c.apply(doc)
	wantNameFailures := func(what string, rep store.Run, failed int) {
		t.Helper()
		if rep.Failed != failed {
			t.Fatalf("%s: %+v, want %d failed", what, rep.Counts, failed)
		}
		if out := c.outcomes(rep.ID, store.ActionFailed); strings.Count(out, "displayName, the user's name, is empty") != failed {
			t.Fatalf("%s: the failures do not name displayName:\n%s", what, out)
		}
	}
	rep := c.mustSync("corp")
	wantNameFailures("full run", rep.Run, 2)
	if rep.Created != 3 {
		t.Fatalf("full run created %d, want 3", rep.Created)
	}
	users := c.users()
	for _, i := range []int{2, 4} {
		if _, ok := users[slapd.UID(i)]; ok {
			t.Fatalf("%s was created without a name", slapd.UID(i))
		}
	}

	// One-user add.
	out, code := c.run("users", "add", "--connection", "corp", slapd.UID(2))
	if code != exitNotAdded || !strings.Contains(out, "failed 1") || !strings.Contains(out, "displayName, the user's name, is empty") {
		t.Fatalf("users add of a nameless entry: %d %s", code, out)
	}

	// Incremental: a synced user whose name would be cleared fails and
	// keeps the name.
	unset(3)
	rep = c.mustSync("corp")
	if rep.Mode != store.ModeIncremental {
		t.Fatalf("run is %s, want incremental", rep.Mode)
	}
	wantNameFailures("incremental run", rep.Run, 1)
	if got := c.show(slapd.UID(3)).User.Fields["displayName"]; got == "" {
		t.Fatal("the failed update cleared the name")
	}
}
