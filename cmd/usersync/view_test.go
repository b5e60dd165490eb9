package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The view command: a bad document exits 2 naming every bad field and
// saves nothing; accounts need a strong password and an existing view; a
// password is never printed.
func TestViewCLI(t *testing.T) {
	c := newCLI(t)
	write := func(doc string) string {
		p := filepath.Join(t.TempDir(), "view.json")
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, code := c.run("view", "apply", "-f", write(`{"name":"people","baseDN":"","connections":["corp"],"attributes":{"uid":"userId","objectClass":"x"}}`))
	if code != 2 {
		t.Fatalf("bad view: exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{"baseDN: is required", "attributes.objectClass", `connections[0]: no connection is named "corp"`} {
		if !strings.Contains(out, want) {
			t.Errorf("error lacks %q:\n%s", want, out)
		}
	}
	if out, code := c.run("view", "apply", "-f", write(`{"name":"people","baseDN":"ou=people,o=example","connections":["*"],"typo":1}`)); code != 2 || !strings.Contains(out, "typo") {
		t.Errorf("unknown field: exit %d\n%s", code, out)
	}
	if out, _ := c.run("view", "list"); strings.Contains(out, "people") {
		t.Fatalf("a refused view was saved:\n%s", out)
	}
	if out, code := c.run("view", "apply", "-f", write(`{"name":"people","baseDN":"ou=people,o=example","connections":["*"]}`)); code != 0 || !strings.Contains(out, "created") {
		t.Fatalf("view apply: %d %s", code, out)
	}
	if out, code := c.runIn("password\n", "view", "account", "set", "people", "phone"); code != 2 {
		t.Errorf("common password: exit %d\n%s", code, out)
	}
	if out, code := c.runIn("Strong-Phone-Pass-42\n", "view", "account", "set", "nosuch", "phone"); code == 0 {
		t.Errorf("account of a missing view: exit 0\n%s", out)
	}
	if out, code := c.runIn("Strong-Phone-Pass-42\n", "view", "account", "set", "people", "bad name,x"); code != 2 {
		t.Errorf("bad account name: exit %d\n%s", code, out)
	}
	out, code = c.runIn("Strong-Phone-Pass-42\n", "view", "account", "set", "people", "phone")
	if code != 0 || !strings.Contains(out, "cn=phone,ou=people,o=example") {
		t.Fatalf("account set: %d %s", code, out)
	}
	out, _ = c.run("view", "account", "list")
	if !strings.Contains(out, "cn=phone,ou=people,o=example") || strings.Contains(out, "Strong-Phone") || strings.Contains(out, "argon2") {
		t.Errorf("account list:\n%s", out)
	}
	if out, code := c.run("view", "delete", "people"); code != 0 {
		t.Fatalf("view delete: %d %s", code, out)
	}
	if out, _ := c.run("view", "account", "list"); strings.Contains(out, "phone") {
		t.Errorf("the view's account outlived it:\n%s", out)
	}
}
