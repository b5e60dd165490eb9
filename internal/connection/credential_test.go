package connection

import (
	"errors"
	"strings"
	"testing"
)

func TestKeepCredential(t *testing.T) {
	old := Connection{Name: "corp", DNSName: "dc1.example.com", Port: 636, Security: SecurityLDAPS, SystemType: SystemLDAP,
		CACertificate: "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n", SearchPath: "dc=x"}
	tests := []struct {
		name          string
		change        func(c *Connection)
		given, stored bool
		refused       string
	}{
		{"nothing changed", func(*Connection) {}, false, true, ""},
		{"search path changed", func(c *Connection) { c.SearchPath = "ou=p,dc=x" }, false, true, ""},
		{"host case only", func(c *Connection) { c.DNSName = "DC1.example.com" }, false, true, ""},
		{"host", func(c *Connection) { c.DNSName = "evil.example" }, false, true, "dnsName"},
		{"port", func(c *Connection) { c.Port = 1636 }, false, true, "port"},
		{"security", func(c *Connection) { c.Security = SecurityNone }, false, true, "security"},
		{"skip verify", func(c *Connection) { c.TLSSkipVerify = true }, false, true, "tlsSkipVerify"},
		{"CA certificate", func(c *Connection) { c.CACertificate = "" }, false, true, "caCertificate"},
		{"host with a new password", func(c *Connection) { c.DNSName = "dc2.example.com" }, true, true, ""},
		{"host, nothing stored", func(c *Connection) { c.DNSName = "dc2.example.com" }, false, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := old
			tc.change(&next)
			err := KeepCredential(old, next, "password", tc.given, tc.stored)
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Problems[0].Field != "password" || !strings.Contains(err.Error(), tc.refused) {
				t.Fatalf("got %v, want a password problem naming %s", err, tc.refused)
			}
		})
	}
}

// A connection read back (with its warnings) can be sent again: Parse
// drops the warnings, and Marshal always computes them afresh.
func TestWarningsRoundTrip(t *testing.T) {
	c := Connection{Name: "corp", DNSName: "h", SearchPath: "dc=x", Security: SecurityNone, TLSSkipVerify: true, HasPassword: true}
	doc, err := c.MarshalJSON()
	if err != nil || !strings.Contains(string(doc), `"warnings":[{"field":"security"`) {
		t.Fatalf("marshal: %s %v", doc, err)
	}
	back, err := Parse(doc)
	if err != nil || back.Warnings != nil {
		t.Fatalf("parse of a read-back document: %+v %v", back.Warnings, err)
	}
	back.TLSSkipVerify, back.Security = false, SecurityLDAPS
	doc, _ = back.MarshalJSON()
	if strings.Contains(string(doc), "warnings") {
		t.Fatalf("a secure connection carries warnings: %s", doc)
	}
}

func TestInsecure(t *testing.T) {
	tests := []struct {
		name string
		c    Connection
		want string
	}{
		{"ldaps verified", Connection{Security: SecurityLDAPS, HasPassword: true}, ""},
		{"plain without a password", Connection{Security: SecurityNone}, ""},
		{"plain with a stored password", Connection{Security: SecurityNone, HasPassword: true}, "security"},
		{"plain with a new password", Connection{Security: SecurityNone, Password: "p"}, "security"},
		{"startTls unverified", Connection{Security: SecurityStartTLS, TLSSkipVerify: true}, "tlsSkipVerify"},
		{"plain user binds", Connection{Security: SecurityNone, AllowPlainTextUserBinds: true}, "allowPlainTextUserBinds"},
		{"user binds over ldaps", Connection{Security: SecurityLDAPS, AllowPlainTextUserBinds: true}, ""},
	}
	for _, tc := range tests {
		var got []string
		for _, p := range tc.c.Insecure() {
			got = append(got, p.Field)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, got, tc.want)
		}
	}
}
