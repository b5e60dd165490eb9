package connection

// SystemSCIM is a source that usersync does not read: a SCIM client
// (Entra ID's or Okta's provisioning service) pushes its users and groups
// to usersync's SCIM endpoint, authenticated by the connection's SCIM
// tokens.
const SystemSCIM = "scim"

// IsSCIM reports whether the connection is a SCIM source (a SCIM push
// target is not: see IsPushTarget).
func (c Connection) IsSCIM() bool {
	return c.SystemType == SystemSCIM && c.DirectoryType != DirectoryTarget
}

// scimProblems adjusts a SCIM connection's problems: it has no directory to
// dial, so the LDAP fields are not required, and any that is set is a
// mistake worth naming (a password there would be sealed for nothing).
func (c Connection) scimProblems(probs []FieldError) []FieldError {
	if !c.IsSCIM() {
		return probs
	}
	ldapOnly := map[string]bool{"dnsName": true, "searchPath": true, "port": true, "security": true, "searchFilter": true}
	var out []FieldError
	for _, p := range probs {
		if !ldapOnly[p.Field] {
			out = append(out, p)
		}
	}
	add := func(field, msg string) { out = append(out, FieldError{Field: field, Message: msg}) }
	if c.DirectoryType != DirectorySource {
		add("directoryType", `a SCIM connection is a source: "directoryType": "source"`)
	}
	for _, f := range []struct{ name, value string }{{"dnsName", c.DNSName}, {"username", c.Username}, {"password", c.Password},
		{"searchPath", c.SearchPath}, {"caCertificate", c.CACertificate}, {"groupSearchPath", c.GroupSearchPath}} {
		if f.value != "" {
			add(f.name, "does not apply to a SCIM connection (its clients push users to usersync); remove it")
		}
	}
	if c.Security != SecurityNone && c.Security != "" {
		add("security", "does not apply to a SCIM connection; the SCIM endpoint is served on usersync's own listener")
	}
	if c.LinkingKey != "" && c.LinkingKey != "id" {
		add("linkingKey", `a SCIM connection links users by the id usersync gives them: leave it empty or "id"`)
	}
	if c.Live || c.Schedule != "" {
		add("schedule", "a SCIM connection is not scheduled: its client decides when it pushes")
	}
	return out
}
