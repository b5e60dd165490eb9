package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// usersByID lists users as `users list --json` prints them, by userId.
func usersByID(t *testing.T, c *cli, extra ...string) map[string]store.User {
	t.Helper()
	out, code := c.run(append([]string{"users", "list", "--json"}, extra...)...)
	if code != 0 {
		t.Fatalf("users list: %d %s", code, out)
	}
	var raw []struct {
		ID     int64             `json:"id"`
		UserID string            `json:"userId"`
		Status string            `json:"status"`
		Fields map[string]string `json:"fields"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("users list --json: %v", err)
	}
	m := map[string]store.User{}
	for _, u := range raw {
		m[u.UserID] = store.User{ID: u.ID, UserID: u.UserID, Status: u.Status, Fields: u.Fields}
	}
	return m
}

// TestScopeAcceptance: a scope department EQUALS
// Sales limits the import to Sales, and a user moved out of Sales is
// deactivated on the next run.
func TestScopeAcceptance(t *testing.T) {
	s := slapd.Start(t, 100, 0)
	c := newCLI(t)
	doc := connDoc(s)
	doc["scope"] = map[string]any{"clauses": []any{map[string]any{"attribute": "department", "operator": "EQUALS", "value": "Sales"}}}
	c.apply(doc)

	rep, code := c.sync("corp")
	if code != 0 {
		t.Fatalf("first sync: %d %+v", code, rep)
	}
	wantCounts(t, rep, store.Counts{Created: 20, Skipped: 80})
	users := usersByID(t, c)
	for id, u := range users {
		if u.Fields["department"] != "Sales" {
			t.Errorf("%s of %s was imported", id, u.Fields["department"])
		}
	}
	if len(users) != 20 {
		t.Fatalf("%d users imported, want the 20 in Sales", len(users))
	}

	// user000005 is in Sales (5 % 5 == 0); move it to Finance.
	if users[slapd.UID(5)].UserID == "" {
		t.Fatalf("user000005 not imported")
	}
	m := ldapv3.NewModifyRequest(slapd.UserDN(5), nil)
	m.Replace("ou", []string{"Finance"})
	if err := adminConn(t, s).Modify(m); err != nil {
		t.Fatal(err)
	}
	rep, code = c.sync("corp")
	if code != 0 {
		t.Fatalf("second sync: %d %+v", code, rep)
	}
	wantCounts(t, rep, store.Counts{Deactivated: 1, Unchanged: 19, Skipped: 80})
	out, _ := c.run("runs", "show", fmt.Sprint(rep.ID), "--action", "deactivated")
	if !strings.Contains(out, `out of scope: the scoping filter department EQUALS "Sales" does not match`) {
		t.Errorf("runs show does not say why:\n%s", out)
	}
	if u := usersByID(t, c)[slapd.UID(5)]; u.Status != store.StatusInactive {
		t.Errorf("user000005 is %s", u.Status)
	}

	// A scope that would drop most users is held by the deletion guard.
	doc["scope"] = map[string]any{"clauses": []any{map[string]any{"attribute": "uid", "operator": "EQUALS", "value": slapd.UID(10)}}}
	c.apply(doc)
	rep, code = c.sync("corp")
	if code != exitHeld || rep.PendingDeactivations != 18 {
		t.Fatalf("narrowed scope: code %d %+v", code, rep)
	}
}

// TestStrengthAcceptance: keepExisting keeps an
// operator's edit across syncs; always overwrites it.
func TestStrengthAcceptance(t *testing.T) {
	s := slapd.Start(t, 10, 0)
	c := newCLI(t)
	doc := connDoc(s)
	doc["mappings"] = []any{
		map[string]any{"source": "uid", "target": "userId"},
		map[string]any{"source": "displayName", "target": "displayName"},
		map[string]any{"source": "mail", "target": "email"},
		map[string]any{"source": "cn", "target": "pbxUsername", "strength": "always"},
		map[string]any{"source": "mail", "target": "ssoId", "strength": "keepExisting"},
	}
	c.apply(doc)
	if rep, code := c.sync("corp"); code != 0 || rep.Created != 10 {
		t.Fatalf("first sync: %d %+v", code, rep)
	}
	u := usersByID(t, c)[slapd.UID(1)]
	for _, kv := range [][2]string{{"pbxUsername", "edited-pbx"}, {"ssoId", "edited-sso"}} {
		if out, code := c.run("users", "set", fmt.Sprint(u.ID), kv[0], kv[1]); code != 0 {
			t.Fatalf("users set: %d %s", code, out)
		}
	}
	for i := 0; i < 2; i++ {
		rep, code := c.sync("corp")
		if code != 0 {
			t.Fatalf("sync: %d %+v", code, rep)
		}
		want := store.Counts{Unchanged: 10}
		if i == 0 {
			want = store.Counts{Updated: 1, Unchanged: 9}
		}
		wantCounts(t, rep, want)
		got := usersByID(t, c)[slapd.UID(1)]
		if got.Fields["ssoId"] != "edited-sso" {
			t.Errorf("sync %d: keepExisting lost the operator's edit: ssoId = %q", i, got.Fields["ssoId"])
		}
		if got.Fields["pbxUsername"] != "Given1 Family1" {
			t.Errorf("sync %d: always kept the operator's edit: pbxUsername = %q", i, got.Fields["pbxUsername"])
		}
	}
	if out, code := c.run("users", "set", "999", "ssoId", "x"); code != exitUsage || !strings.Contains(out, "no user 999") {
		t.Errorf("users set on a missing user: %d %s", code, out)
	}
}

// TestMappingValidationAndDryRun checks that bad mappings are refused with
// every problem named, and that a mapping change re-evaluates every user
// and shows in a dry run.
func TestMappingValidationAndDryRun(t *testing.T) {
	s := slapd.Start(t, 10, 0)
	c := newCLI(t)
	applyRaw := func(doc map[string]any) (string, int) {
		t.Helper()
		raw, _ := json.Marshal(doc)
		path := filepath.Join(t.TempDir(), "conn.json")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return c.run("connection", "apply", "-f", path)
	}
	bad := connDoc(s)
	bad["mappings"] = []any{
		map[string]any{"source": "cn", "target": "displayName"},
		map[string]any{"expression": `Join("$$$", [a]`, "target": "customFields"},
	}
	out, code := applyRaw(bad)
	if code != exitUsage {
		t.Fatalf("bad mappings accepted: %d %s", code, out)
	}
	for _, want := range []string{"mappings: no mapping fills the mandatory field userId", "mappings[1].expression: expr: at column 16:"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}

	c.apply(connDoc(s))
	if rep, code := c.sync("corp"); code != 0 || rep.Created != 10 {
		t.Fatalf("first sync: %d %+v", code, rep)
	}
	doc := connDoc(s)
	doc["mappings"] = []any{
		map[string]any{"source": "uid", "target": "userId"},
		map[string]any{"source": "displayName", "target": "displayName"},
		map[string]any{"source": "title", "target": "jobTitle"},
	}
	c.apply(doc)
	listed, _ := c.run("connection", "list", "--json")
	if !strings.Contains(listed, `"jobTitle"`) || !strings.Contains(listed, `"leavePolicy"`) {
		t.Errorf("connection list --json lacks the mappings:\n%s", listed)
	}
	rep, code := c.sync("corp", "--dry-run")
	if code != 0 || rep.Updated != 10 || len(rep.Plan) != 10 {
		t.Fatalf("dry run: %d %+v", code, rep)
	}
	if ch := rep.Plan[0].Changes; len(ch) != 1 || ch[0].Field != "jobTitle" {
		t.Errorf("dry run changes = %+v", ch)
	}
	if rep, _ := c.sync("corp"); rep.Updated != 10 {
		t.Errorf("real run after the dry run: %+v", rep)
	}
	if rep, _ := c.sync("corp", "--full"); rep.Unchanged != 10 {
		t.Errorf("third run: %+v", rep)
	}
}
