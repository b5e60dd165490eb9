package main

import (
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// A directory value longer than a field may hold fails that user, naming
// the field, and loses nothing: the stored value stays, the other users
// sync, and a value at the bound is stored whole.
func TestOversizedFieldValueFailsTheUser(t *testing.T) {
	s := slapd.Start(t, 3, 0)
	c := newCLI(t)
	c.apply(connDoc(s))
	if rep := c.mustSync("corp"); rep.Created != 3 {
		t.Fatalf("first sync: %+v", rep)
	}
	l := adminConn(t, s)
	for uid, size := range map[int]int{2: limits.MaxFieldValue + 1, 3: limits.MaxFieldValue} {
		m := ldapv3.NewModifyRequest(slapd.UserDN(uid), nil)
		m.Replace("title", []string{strings.Repeat("t", size)})
		if err := l.Modify(m); err != nil {
			t.Fatal(err)
		}
	}
	rep, _ := c.sync("corp")
	if rep.Failed != 1 || rep.Updated != 1 {
		t.Fatalf("second sync: failed %d updated %d, want 1 and 1 (%+v)", rep.Failed, rep.Updated, rep.Run)
	}
	failed := c.outcomes(rep.ID, "failed")
	if !strings.Contains(failed, slapd.UID(2)) || !strings.Contains(failed, "title: value too long") {
		t.Fatalf("the failure does not name the user and the field:\n%.2000s", failed)
	}
	if got := c.show(slapd.UID(2)).User.Fields["title"]; got != "Title 2" {
		t.Fatalf("the stored value of the failed user changed: %.40q (%d bytes)", got, len(got))
	}
	if got := c.show(slapd.UID(3)).User.Fields["title"]; len(got) != limits.MaxFieldValue {
		t.Fatalf("a value at the bound was not stored whole: %d bytes", len(got))
	}
}
