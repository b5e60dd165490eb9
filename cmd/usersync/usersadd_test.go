package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/demodir"
)

// TestUsersAdd adds one directory user with `users add`: a dry run writes
// nothing, one match is applied, several are listed (exit 2), none exits 1.
func TestUsersAdd(t *testing.T) {
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

	out, code := c.run("users", "add", "--connection", "demo", "zoe.weber@contoso.test", "--dry-run")
	if code != exitOK || !strings.Contains(out, "dry run, nothing written") || !strings.Contains(out, "created 1") {
		t.Fatalf("dry run: %d %s", code, out)
	}
	if _, ok := c.users()["zoe.weber@contoso.test"]; ok {
		t.Fatal("the dry run wrote the user")
	}
	out, code = c.run("users", "add", "--connection", "demo", "zoe.weber@contoso.test")
	if code != exitOK || !strings.Contains(out, "applied as run") || !strings.Contains(out, "created") {
		t.Fatalf("add: %d %s", code, out)
	}
	if _, ok := c.users()["zoe.weber@contoso.test"]; !ok {
		t.Fatal("the user was not added")
	}
	out, code = c.run("users", "add", "--connection", "demo", "zoe")
	if code != exitUsage || !strings.Contains(out, "more precise") || !strings.Contains(out, "CN=Zoe Weber,") {
		t.Fatalf("several matches: %d %s", code, out)
	}
	if out, code := c.run("users", "add", "--connection", "demo", "*)(nobody"); code != exitFailed || !strings.Contains(out, "no directory entry matches") {
		t.Fatalf("no match: %d %s", code, out)
	}
	if out, code := c.run("users", "add", "zoe"); code != exitUsage {
		t.Fatalf("no --connection: %d %s", code, out)
	}
	if strings.Contains(c.all.String(), conn.Password) {
		t.Fatal("the bind password was printed")
	}
}
