package connection

import (
	"errors"
	"strings"
	"testing"
)

// Every free-text field of a connection is bounded, and the single-line
// ones are plain text: a bad value is refused naming the field.
func TestConnectionStringsAreBounded(t *testing.T) {
	tests := []struct {
		field string
		set   func(c *Connection)
	}{
		{"friendlyName", func(c *Connection) { c.FriendlyName = "Corp\u202Egnp.exe" }},
		{"friendlyName", func(c *Connection) { c.FriendlyName = strings.Repeat("f", 257) }},
		{"dnsName", func(c *Connection) { c.DNSName = "dc1\x00.example.com" }},
		{"username", func(c *Connection) { c.Username = "cn=admin\n,dc=x" }},
		{"searchFilter", func(c *Connection) { c.SearchFilter = "(cn=" + strings.Repeat("a", 70<<10) + ")" }},
		{"manualAssignments", func(c *Connection) { c.ManualAssignments = strings.Repeat("m", 70<<10) }},
	}
	for _, tc := range tests {
		c := Connection{Name: "corp", DNSName: "dc1.example.com", SearchPath: "dc=example,dc=com"}
		c.ApplyDefaults()
		tc.set(&c)
		var ve *ValidationError
		if err := c.Validate(); !errors.As(err, &ve) || !hasField(ve, tc.field) {
			t.Errorf("%s: %v, want a problem naming %s", tc.field, err, tc.field)
		}
	}
}

func hasField(ve *ValidationError, field string) bool {
	for _, p := range ve.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}
