package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// changeToken reads the connection's saved change token straight from the
// store's database.
func (c *cli) changeToken() string {
	c.t.Helper()
	db, err := sql.Open("sqlite", "file:"+c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	var tok string
	if err := db.QueryRow(`SELECT change_token FROM connections WHERE name = 'corp'`).Scan(&tok); err != nil {
		c.t.Fatal(err)
	}
	return tok
}

func (c *cli) setChangeToken(tok string) {
	c.t.Helper()
	db, err := sql.Open("sqlite", "file:"+c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE connections SET change_token = ? WHERE name = 'corp'`, tok); err != nil {
		c.t.Fatal(err)
	}
}

// TestIncrementalSync covers the syncrepl path end to end: the token a full
// run saves, a delta with updates, creates and deletions, a failed read that
// neither deactivates nor moves the token (invariants 1 and 3), a token
// from another search that is never used, and a cookie too old for the
// server's session log, where the server enumerates everything.
func TestIncrementalSync(t *testing.T) {
	s := slapd.Start(t, 300, 0)
	c := newCLI(t)
	c.apply(connDoc(s))
	l := adminConn(t, s)

	rep, code := c.sync("corp")
	if code != 0 || rep.Mode != store.ModeFull {
		t.Fatalf("first sync: %d %+v", code, rep)
	}
	if tok := c.changeToken(); !strings.HasPrefix(tok, "syncrepl:") {
		t.Fatalf("a full run saved no syncrepl token: %q", tok)
	}

	rep, code = c.sync("corp", "--incremental")
	if code != 0 || rep.Mode != store.ModeIncremental || rep.EntriesRead != 0 {
		t.Fatalf("incremental with nothing changed: %d %+v", code, rep)
	}

	for i := 1; i <= 4; i++ {
		m := ldapv3.NewModifyRequest(slapd.UserDN(i), nil)
		m.Replace("title", []string{fmt.Sprintf("Changed %d", i)})
		if err := l.Modify(m); err != nil {
			t.Fatal(err)
		}
	}
	for i := 11; i <= 13; i++ {
		if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(i), nil)); err != nil {
			t.Fatal(err)
		}
	}
	add := ldapv3.NewAddRequest("uid=newcomer,"+slapd.PeopleDN, nil)
	add.Attribute("objectClass", []string{"inetOrgPerson"})
	add.Attribute("uid", []string{"newcomer"})
	add.Attribute("cn", []string{"New Comer"})
	add.Attribute("sn", []string{"Comer"})
	if err := l.Add(add); err != nil {
		t.Fatal(err)
	}
	before := c.changeToken()
	rep, code = c.sync("corp", "--incremental")
	if code != 0 || rep.Mode != store.ModeIncremental {
		t.Fatalf("incremental sync: %d %+v", code, rep)
	}
	wantCounts(t, rep, store.Counts{Created: 1, Updated: 4, Deactivated: 3})
	if after := c.changeToken(); after == before {
		t.Fatal("the token did not move with the changes")
	}
	assertActive(t, c, 300-3+1)

	t.Run("failed read moves nothing", func(t *testing.T) {
		if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(20), nil)); err != nil {
			t.Fatal(err)
		}
		tok := c.changeToken()
		s.Stop()
		rep, code := c.sync("corp", "--incremental")
		if err := s.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
		if code == 0 || rep.Deactivated != 0 || c.changeToken() != tok {
			t.Fatalf("sync with slapd stopped: code %d %+v, token moved: %v", code, rep, c.changeToken() != tok)
		}
		assertActive(t, c, 298)
		rep, code = c.sync("corp", "--incremental")
		// The restart lost the server's session log: it enumerates every
		// entry as present, and the one it does not name is gone.
		if code != 0 || rep.Mode != store.ModeIncremental || rep.Deactivated != 1 || rep.EntriesRead != 297 {
			t.Fatalf("incremental after restart: %d %+v", code, rep)
		}
		assertActive(t, c, 297)
	})

	t.Run("token of another search is not used", func(t *testing.T) {
		doc := connDoc(s)
		doc["searchFilter"] = "(&(objectClass=inetOrgPerson)(!(uid=user000030)))"
		c.apply(doc)
		defer c.apply(connDoc(s))
		rep, code := c.sync("corp", "--incremental")
		if code != 0 || rep.Mode != store.ModeFull || rep.Deactivated != 1 || len(rep.Warnings) == 0 {
			t.Fatalf("changed filter: %d %+v", code, rep)
		}
	})

	t.Run("cookie older than the session log", func(t *testing.T) {
		c.apply(connDoc(s))
		if rep, code := c.sync("corp"); code != 0 || rep.Updated != 1 {
			t.Fatalf("full sync back to the whole filter: %d %+v", code, rep)
		}
		l := adminConn(t, s) // the restart above closed the first one
		if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(40), nil)); err != nil {
			t.Fatal(err)
		}
		old := regexp.MustCompile(`csn=[0-9.]+Z`).ReplaceAllString(c.changeToken(), "csn=20000101000000.000000Z")
		c.setChangeToken(old)
		rep, code := c.sync("corp", "--incremental")
		if code != 0 || rep.Mode != store.ModeIncremental || rep.Deactivated != 1 || rep.EntriesRead != 296 {
			t.Fatalf("stale cookie: %d %+v", code, rep)
		}
		assertActive(t, c, 296)
	})
}
