package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedExample1 is the first worked example of the Advanced UPN Sync
// Settings: both toggles off.
const seedExample1 = `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`

// rpDoc is a relying-party connection document; nothing is dialled.
func rpDoc(configureTwo string) map[string]any {
	return map[string]any{
		"name": "rp", "directoryType": "relyingParty", "systemType": "ldap",
		"dnsName": "dc1.example.test", "security": "ldaps", "username": "svc@example.test", "password": "pw",
		"searchPath": "CN=Users,DC=example,DC=test", "linkingKey": "userPrincipalName", "configureTwo": configureTwo,
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigureTwoRoundTrip(t *testing.T) {
	c := newCLI(t)
	c.apply(rpDoc(""))
	if out, code := c.run("connection", "configure-two", "rp"); code != 0 || out != seedExample1+"\n" {
		t.Fatalf("unset document: code %d, want Example 1, got %q", code, out)
	}
	for i, doc := range []string{seedExample1, seedExample2, seedExample3, seedExample4, seedExample5} {
		if out, code := c.run("connection", "configure-two", "rp", "--set", "-f", writeFile(t, doc+"\n")); code != 0 {
			t.Fatalf("example %d: set: %d %s", i+1, code, out)
		}
		if out, code := c.run("connection", "configure-two", "rp"); code != 0 || out != doc+"\n" {
			t.Fatalf("example %d: not byte for byte:\n got %q\nwant %q", i+1, out, doc)
		}
		c.apply(rpDoc(doc)) // through connection apply too
		if out, _ := c.run("connection", "configure-two", "rp"); out != doc+"\n" {
			t.Fatalf("example %d after apply: %q", i+1, out)
		}
	}
}

func TestConfigureTwoInvalid(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"bad onWriteFailure", strings.Replace(seedExample3, `"warn"`, `"explode"`, 1),
			[]string{`configureTwo.syncUpnToAdAttribute.onWriteFailure: unknown value "explode": want warn, error or ignore`}},
		{"two problems at once", strings.NewReplacer(`"schemaVersion":1`, `"schemaVersion":2`, `"valueFormat":"prefixed"`, `"valueFormat":"fancy"`).Replace(seedExample3),
			[]string{"configureTwo.schemaVersion: unsupported schema version 2", `configureTwo.syncUpnToAdAttribute.valueFormat: unknown value format "fancy"`}},
		{"unknown key", strings.Replace(seedExample3, `"lowercase":true`, `"lowercase":true,"colour":"red"`, 1),
			[]string{"configureTwo.syncUpnToAdAttribute.colour: unknown key"}},
		{"not JSON", `{"schemaVersion":`, []string{"configureTwo: not a JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			c.apply(rpDoc(seedExample3))
			out, code := c.run("connection", "configure-two", "rp", "--set", "-f", writeFile(t, tt.doc))
			if code != exitUsage {
				t.Fatalf("configure-two --set: code %d, want %d: %s", code, exitUsage, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("configure-two --set: %q lacks %q", out, w)
				}
			}
			raw := rpDoc(tt.doc)
			out, code = c.run("connection", "apply", "-f", writeJSONFile(t, raw))
			if code != exitUsage {
				t.Fatalf("connection apply: code %d, want %d: %s", code, exitUsage, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("connection apply: %q lacks %q", out, w)
				}
			}
			if out, _ := c.run("connection", "configure-two", "rp"); out != seedExample3+"\n" {
				t.Fatalf("a refused document replaced the stored one: %q", out)
			}
		})
	}
}

func writeJSONFile(t *testing.T, doc map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, string(raw))
}

// TestConfigureTwoOnlyOnRelyingParties: the Advanced UPN Sync Settings
// exist on relying parties only; `connection apply` refuses them on a
// source as `configure-two --set` does, naming the field, and stores
// nothing.
func TestConfigureTwoOnlyOnRelyingParties(t *testing.T) {
	c := newCLI(t)
	src := rpDoc("")
	src["name"], src["directoryType"] = "src", "source"
	c.apply(src)
	src["configureTwo"] = seedExample2
	out, code := c.run("connection", "apply", "-f", writeJSONFile(t, src))
	if code != exitUsage || !strings.Contains(out, "configureTwo") || !strings.Contains(out, "relying part") {
		t.Fatalf("connection apply of a source with configureTwo: exit %d\n%s", code, out)
	}
	out, code = c.run("connection", "configure-two", "src", "--set", "-f", writeFile(t, seedExample2))
	if code != exitUsage || !strings.Contains(out, "configureTwo") || !strings.Contains(out, "relying part") {
		t.Fatalf("configure-two --set on a source: exit %d\n%s", code, out)
	}
	out, _ = c.run("connection", "show", "src", "--json")
	if strings.Contains(out, "mailFallbackOnMissingUpn") {
		t.Fatalf("a source kept a configureTwo document:\n%s", out)
	}
}
