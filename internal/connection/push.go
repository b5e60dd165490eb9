package connection

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/usersync/usersync/internal/mapping/expr"
)

// DirectoryTarget is an application usersync pushes its users to, over
// SCIM ("systemType": "scim"): outbound provisioning.
const DirectoryTarget = "target"

// Match attributes: how a push target's existing user is found before
// usersync creates one.
const (
	MatchUserName   = "userName"
	MatchExternalID = "externalId"
	MatchEmails     = "emails"
)

// Push is what a SCIM push target adds to a connection: the application's
// SCIM base URL, how usersync authenticates to it, how existing users are
// matched and which users are pushed. The bearer token and the OAuth client
// secret (Entra.ClientSecret, beside Entra.ClientID) are credentials:
// ApplyDefaults packs them into Password, so that they are sealed and never
// returned, like the bind password.
type Push struct {
	BaseURL string `json:"baseUrl,omitempty"`
	Token   string `json:"token,omitempty"`
	// TokenURL, with clientId and clientSecret, authenticates with the
	// OAuth 2.0 client credentials grant instead of a fixed token.
	TokenURL    string   `json:"tokenUrl,omitempty"`
	OAuthScopes []string `json:"oauthScopes,omitempty"`
	// MatchAttribute finds a user the application already has before
	// creating one: userName (the default), externalId or emails.
	MatchAttribute string `json:"matchAttribute,omitempty"`
	// PushConnections limits the pushed users to those of these source
	// connections; empty pushes every directory user.
	PushConnections []string `json:"pushConnections,omitempty"`
	// RequestsPerSecond caps the request rate to the application; 0 means
	// DefaultPushRate.
	RequestsPerSecond float64 `json:"requestsPerSecond,omitempty"`
}

// DefaultPushRate is the request rate a push target gets when it does not
// say: far below what SaaS SCIM endpoints document as their limits.
const DefaultPushRate = 50

// IsPushTarget reports whether the connection is a SCIM push target.
func (c Connection) IsPushTarget() bool {
	return c.SystemType == SystemSCIM && c.DirectoryType == DirectoryTarget
}

// PushCredential is the sealed credential of a push target.
type PushCredential struct {
	Token        string `json:"token,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
}

const pushCredentialPrefix = "scim-push-credential:"

// PushCredential opens the credential ApplyDefaults packed into Password.
func (c Connection) PushCredential() (PushCredential, bool) {
	var cred PushCredential
	if !strings.HasPrefix(c.Password, pushCredentialPrefix) {
		return cred, false
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(c.Password, pushCredentialPrefix)), &cred); err != nil {
		return cred, false
	}
	return cred, cred.Token != "" || cred.ClientSecret != ""
}

// applyPushDefaults clears the LDAP defaults, which would make a target
// look like a plain-text directory, and packs the credential.
func (c *Connection) applyPushDefaults() {
	if !c.IsPushTarget() {
		return
	}
	c.Security, c.Port, c.SearchFilter = "", 0, ""
	if c.MatchAttribute == "" {
		c.MatchAttribute = MatchUserName
	}
	if c.Token != "" || c.ClientSecret != "" {
		b, _ := json.Marshal(PushCredential{Token: c.Token, ClientSecret: c.ClientSecret})
		c.Password = pushCredentialPrefix + string(b)
		c.Token, c.ClientSecret = "", ""
	}
}

// scimPathRE is the SCIM attribute paths a push mapping may target:
// attr, attr.sub, attr[type eq "x"].sub and the enterprise extension as
// enterprise.attr.
var scimPathRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(\[type eq "[A-Za-z0-9]+"\])?(\.[A-Za-z][A-Za-z0-9]*)?$`)

// pushProblems replaces the problems of a push target: none of the LDAP
// source fields apply, and its mappings target SCIM attributes, not
// application fields.
func (c Connection) pushProblems(probs []FieldError) []FieldError {
	if c.DirectoryType == DirectoryTarget && c.SystemType != SystemSCIM {
		return append(probs, FieldError{Field: "directoryType", Message: fmt.Sprintf(`"target" needs "systemType": %q (usersync pushes to applications over SCIM), got %q`, SystemSCIM, c.SystemType)})
	}
	if !c.IsPushTarget() {
		return probs
	}
	var out []FieldError
	for _, p := range probs {
		if p.Field == "directoryType" || strings.HasPrefix(p.Field, "mappings") {
			continue
		}
		out = append(out, p)
	}
	add := func(field, format string, args ...any) {
		out = append(out, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		add("baseUrl", "is required: the application's SCIM base URL, such as https://app.example.com/scim/v2")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		add("baseUrl", "must be an https URL without user, query or fragment, got %q", c.BaseURL)
	}
	cred, hasCred := c.PushCredential()
	switch {
	case c.Password != "" && !hasCred:
		add("password", "is not used by SCIM targets: give token, or clientId and clientSecret with tokenUrl")
	case cred.Token != "" && (cred.ClientSecret != "" || c.TokenURL != ""):
		add("token", "and OAuth client credentials are both given: give one of them")
	}
	if c.TokenURL != "" {
		if t, err := url.Parse(c.TokenURL); err != nil || t.Host == "" || (t.Scheme != "https" && t.Scheme != "http") {
			add("tokenUrl", "must be an https URL, got %q", c.TokenURL)
		}
		if c.ClientID == "" {
			add("clientId", "is required with tokenUrl")
		}
	} else if c.ClientID != "" {
		add("tokenUrl", "is required with clientId (the OAuth 2.0 token endpoint)")
	}
	if c.CACertificate != "" && !strings.Contains(c.CACertificate, "-----BEGIN CERTIFICATE-----") {
		add("caCertificate", "must be one or more PEM certificates")
	}
	switch c.MatchAttribute {
	case MatchUserName, MatchExternalID, MatchEmails:
	default:
		add("matchAttribute", "must be %q, %q or %q, got %q", MatchUserName, MatchExternalID, MatchEmails, c.MatchAttribute)
	}
	for i, name := range c.PushConnections {
		if !slugRE.MatchString(name) {
			add(fmt.Sprintf("pushConnections[%d]", i), "must be a connection name, got %q", name)
		}
	}
	if c.RequestsPerSecond < 0 {
		add("requestsPerSecond", "must not be negative, got %v", c.RequestsPerSecond)
	}
	seen := map[string]bool{}
	for i, m := range c.Mappings {
		f := fmt.Sprintf("mappings[%d]", i)
		if !scimPathRE.MatchString(m.Target) {
			add(f+".target", `must be a SCIM attribute path (userName, name.givenName, emails[type eq "work"].value, enterprise.department), got %q`, m.Target)
		}
		if seen[strings.ToLower(m.Target)] {
			add(f+".target", "%q is filled by an earlier mapping", m.Target)
		}
		seen[strings.ToLower(m.Target)] = true
		switch {
		case (m.Source == "") == (m.Expression == ""):
			add(f, "needs exactly one of source (an application field) and expression")
		case m.Expression != "":
			if _, err := expr.Parse(m.Expression); err != nil {
				add(f+".expression", "%v", err)
			}
		}
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"dnsName", c.DNSName != ""}, {"username", c.Username != ""},
		{"searchPath", c.SearchPath != ""}, {"groupSearchPath", c.GroupSearchPath != ""}, {"schedule", c.Schedule != "" || c.Live}} {
		if f.set {
			add(f.name, "does not apply to a SCIM push target (it follows usersync's change feed); remove it")
		}
	}
	return out
}

// pushInsecure names a push target's insecure settings.
func (c Connection) pushInsecure() []FieldError {
	if !c.IsPushTarget() {
		return nil
	}
	var out []FieldError
	for _, f := range []struct{ name, v string }{{"baseUrl", c.BaseURL}, {"tokenUrl", c.TokenURL}} {
		if strings.HasPrefix(strings.ToLower(f.v), "http://") {
			out = append(out, FieldError{Field: f.name, Message: "is plain http: the token and every user's data cross the network in clear; use https"})
		}
	}
	return out
}
