package connection

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExamples parses and validates every connection document in the
// README, so that the documented examples stay true.
func TestREADMEExamples(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(raw), "```json\n")[1:]
	if len(blocks) < 3 {
		t.Fatalf("found %d JSON examples, want at least 3", len(blocks))
	}
	for i, b := range blocks {
		doc := b[:strings.Index(b, "```")]
		c, err := Parse([]byte(doc))
		if err != nil {
			t.Errorf("example %d: %v", i, err)
			continue
		}
		if err := c.Validate(); err != nil {
			t.Errorf("example %d (%s): %v", i, c.Name, err)
		}
	}
}

func TestValidateMappingsNamesFields(t *testing.T) {
	c, err := Parse([]byte(`{"name": "x", "dnsName": "h", "searchPath": "dc=x",
		"mappings": [{"source": "cn", "target": "displayName"}, {"expression": "Left([a], ", "target": "b"}],
		"leavePolicy": {"action": "deactivateThenDelete"}}`))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	for _, want := range []string{"mappings: no mapping fills the mandatory field userId", "mappings[1].expression: expr: at column", "leavePolicy.afterDays:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to contain %q", err, want)
		}
	}
}
