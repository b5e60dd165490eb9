package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/slapd"
)

// `connection apply` of a document without a password keeps the stored one
// only while the connection points at the same server; moving it requires
// the password again, with exit code 2 and a message naming the field.
func TestApplyMovedConnectionNeedsPassword(t *testing.T) {
	s := slapd.Start(t, 1, 0)
	c := newCLI(t)
	c.apply(connDoc(s))
	moved := connDoc(s)
	delete(moved, "password")
	moved["dnsName"] = "localhost"
	raw, _ := json.Marshal(moved)
	path := filepath.Join(t.TempDir(), "moved.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := c.run("connection", "apply", "-f", path)
	if code != 2 || !strings.Contains(out, "password: is required again because dnsName changed") {
		t.Fatalf("apply moved without password: %d %s", code, out)
	}
	if out, code := c.run("connection", "check", "corp"); code != 0 {
		t.Fatalf("the stored connection must be unchanged and still work: %d %s", code, out)
	}
	moved["dnsName"] = "127.0.0.1"
	moved["friendlyName"] = "Renamed"
	c.apply(moved)
}

// The CLI prints a warning for each insecure setting on apply, list and
// check, and refuses them under USERSYNC_FORBID_INSECURE=1 or
// --forbid-insecure, naming the field.
func TestInsecureConnectionWarnsAndCanBeForbidden(t *testing.T) {
	s := slapd.Start(t, 1, 0)
	c := newCLI(t)
	doc := connDoc(s)
	raw, _ := json.Marshal(doc)
	path := filepath.Join(t.TempDir(), "conn.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	const warning = "warning: connection corp: security: is none: the bind password crosses the network in clear"
	for _, args := range [][]string{{"connection", "apply", "-f", path}, {"connection", "list"}, {"connection", "check", "corp"}} {
		if out, code := c.run(args...); code != 0 || !strings.Contains(out, warning) {
			t.Errorf("%s: %d, want the warning\n%s", strings.Join(args, " "), code, out)
		}
	}
	if out, code := c.run("connection", "check", "corp", "--forbid-insecure"); code != 2 || !strings.Contains(out, "security: is none") || !strings.Contains(out, "forbidden") {
		t.Errorf("check --forbid-insecure: %d %s", code, out)
	}
	t.Setenv("USERSYNC_FORBID_INSECURE", "1")
	if out, code := c.run("connection", "apply", "-f", path); code != 2 || !strings.Contains(out, "security: is none") {
		t.Errorf("apply under USERSYNC_FORBID_INSECURE=1: %d %s", code, out)
	}
	if out, code := c.run("sync", "corp"); code != 2 || !strings.Contains(out, "forbidden") {
		t.Errorf("sync under USERSYNC_FORBID_INSECURE=1: %d %s", code, out)
	}
}

// `token create` gives a token a scope and a lifetime; a bad one is refused
// with exit code 2 naming the flag's field.
func TestTokenCreateScopeAndExpiry(t *testing.T) {
	c := newCLI(t)
	out, code := c.run("token", "create", "reader")
	if code != 0 || !strings.Contains(out, "scope read") {
		t.Fatalf("default token: %d %s", code, out)
	}
	if out, code := c.run("token", "create", "ops", "--scope", "run", "--expires-in-days", "7"); code != 0 || !strings.Contains(out, "scope run") {
		t.Fatalf("run token: %d %s", code, out)
	}
	for _, args := range [][]string{{"--scope", "root"}, {"--expires-in-days", "1000"}} {
		if out, code := c.run(append([]string{"token", "create", "bad"}, args...)...); code != 2 || !strings.Contains(out, args[0]) && !strings.Contains(out, "scope must be") {
			t.Errorf("token create %v: %d %s", args, code, out)
		}
	}
}
