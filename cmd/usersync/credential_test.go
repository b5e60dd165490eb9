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
