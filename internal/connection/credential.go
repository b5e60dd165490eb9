package connection

import (
	"fmt"
	"strings"
)

// endpointFields are the fields that say where a connection connects and
// how the server there is trusted. A stored credential may be sent only to
// the endpoint it was entered for: when any of them changes, the caller
// must enter the credential again, or anyone allowed to edit a connection
// could point it at a listener of their own and receive the stored secret
// in clear with the next check or run.
var endpointFields = []struct {
	name    string
	changed func(old, next Connection) bool
}{
	{"dnsName", func(o, n Connection) bool { return !strings.EqualFold(o.DNSName, n.DNSName) }},
	{"port", func(o, n Connection) bool { return o.Port != n.Port }},
	{"security", func(o, n Connection) bool { return o.Security != n.Security }},
	{"tlsSkipVerify", func(o, n Connection) bool { return o.TLSSkipVerify != n.TLSSkipVerify }},
	{"caCertificate", func(o, n Connection) bool {
		return strings.TrimSpace(o.CACertificate) != strings.TrimSpace(n.CACertificate)
	}},
	{"systemType", func(o, n Connection) bool { return o.SystemType != n.SystemType }},
	{"tenantId", func(o, n Connection) bool { return !strings.EqualFold(o.TenantID, n.TenantID) }},
	{"clientId", func(o, n Connection) bool { return !strings.EqualFold(o.ClientID, n.ClientID) }},
	{"cloud", func(o, n Connection) bool { return o.Cloud != n.Cloud }},
	{"authorityHost", func(o, n Connection) bool { return o.AuthorityHost != n.AuthorityHost }},
	{"graphURL", func(o, n Connection) bool { return o.GraphURL != n.GraphURL }},
	{"baseUrl", func(o, n Connection) bool { return o.BaseURL != n.BaseURL }},
	{"tokenUrl", func(o, n Connection) bool { return o.TokenURL != n.TokenURL }},
	{"directoryType", func(o, n Connection) bool {
		return o.DirectoryType != n.DirectoryType && (o.IsPushTarget() || n.IsPushTarget())
	}},
}

// EndpointChanges names the fields of next that point the connection at a
// different endpoint, or trust it differently, than old did.
func EndpointChanges(old, next Connection) []string {
	var out []string
	for _, f := range endpointFields {
		if f.changed(old, next) {
			out = append(out, f.name)
		}
	}
	return out
}

// KeepCredential is the one rule for every stored credential (the bind
// password today; application secrets and tokens of other system types
// later): an update that carries no credential keeps the stored one only
// while the endpoint stays the same. It returns a *ValidationError naming
// field (the credential's field) when the endpoint changed and no new
// credential was given; stored says whether a credential is stored.
func KeepCredential(old, next Connection, field string, given, stored bool) error {
	if given || !stored {
		return nil
	}
	changed := EndpointChanges(old, next)
	if len(changed) == 0 {
		return nil
	}
	return &ValidationError{Problems: []FieldError{{Field: field, Message: fmt.Sprintf(
		"is required again because %s changed: a stored %s is only ever sent to the server it was entered for",
		strings.Join(changed, ", "), field)}}}
}
