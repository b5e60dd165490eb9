package connection

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Clouds an Entra connection signs in to, each with its sign-in host and
// Microsoft Graph endpoint.
const (
	CloudGlobal       = "global"
	CloudUSGovernment = "usGovernment"
	CloudChina        = "china"
)

var clouds = map[string]struct{ login, graph string }{
	CloudGlobal:       {"https://login.microsoftonline.com/", "https://graph.microsoft.com"},
	CloudUSGovernment: {"https://login.microsoftonline.us/", "https://graph.microsoft.us"},
	CloudChina:        {"https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn"},
}

// Entra polling: a live Entra connection asks Graph for changes this often
// by default, and never more often than the floor, which keeps one tenant's
// polling far below Graph's per-application request limits.
const (
	DefaultEntraPollSeconds = 30
	MinEntraPollSeconds     = 10
)

// Entra is what a Microsoft Entra ID connection adds to a connection: the
// application registration it signs in as, the cloud, and what it reads.
// ClientSecret and Certificate are credentials: ApplyDefaults moves them
// into Password, so that they are sealed, kept and never returned exactly
// as the LDAP bind password is.
type Entra struct {
	TenantID     string `json:"tenantId,omitempty"`
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	// Certificate is a PEM certificate with its private key, registered on
	// the application instead of a secret.
	Certificate string `json:"certificate,omitempty"`
	Cloud       string `json:"cloud,omitempty"`
	// AuthorityHost and GraphURL replace the cloud's endpoints for private
	// deployments and tests; instance discovery is then off, since the
	// host is not one Microsoft's discovery knows.
	AuthorityHost string `json:"authorityHost,omitempty"`
	GraphURL      string `json:"graphURL,omitempty"`
	// Filter selects users with a small OData subset (see EntraFilter).
	Filter string `json:"filter,omitempty"`
	// IncludeGuests reads guest users (userType Guest) too.
	IncludeGuests bool `json:"includeGuests,omitempty"`
	// PollSeconds is how often live mode asks Graph for changes.
	PollSeconds int `json:"pollSeconds,omitempty"`
}

// EntraCredential is the sealed credential of an Entra connection.
type EntraCredential struct {
	ClientSecret string `json:"clientSecret,omitempty"`
	Certificate  string `json:"certificate,omitempty"`
}

const entraCredentialPrefix = "entra-credential:"

// EntraCredential opens the credential ApplyDefaults packed into Password;
// ok is false when there is none.
func (c Connection) EntraCredential() (EntraCredential, bool) {
	var cred EntraCredential
	if !strings.HasPrefix(c.Password, entraCredentialPrefix) {
		return cred, false
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(c.Password, entraCredentialPrefix)), &cred); err != nil {
		return cred, false
	}
	return cred, cred.ClientSecret != "" || cred.Certificate != ""
}

func (c *Connection) applyEntraDefaults() {
	if c.Cloud == "" && c.AuthorityHost == "" && c.GraphURL == "" {
		c.Cloud = CloudGlobal
	}
	if c.PollSeconds == 0 {
		c.PollSeconds = DefaultEntraPollSeconds
	}
	if c.SearchPath == "" {
		c.SearchPath = "users"
	}
	if c.ClientSecret != "" || c.Certificate != "" {
		b, _ := json.Marshal(EntraCredential{ClientSecret: c.ClientSecret, Certificate: c.Certificate})
		c.Password = entraCredentialPrefix + string(b)
		c.ClientSecret, c.Certificate = "", ""
	}
}

// Endpoints returns the sign-in host and Graph base URL of an Entra
// connection, and whether they are custom (instance discovery off).
func (e Entra) Endpoints() (authority, graph string, custom bool) {
	if e.AuthorityHost != "" || e.GraphURL != "" {
		return e.AuthorityHost, strings.TrimRight(e.GraphURL, "/"), true
	}
	cl := clouds[e.Cloud]
	return cl.login, cl.graph, false
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRE = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)
)

func (c Connection) validateEntra() []FieldError {
	var probs []FieldError
	add := func(field, format string, args ...any) {
		probs = append(probs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if c.DirectoryType != DirectorySource {
		add("directoryType", "must be %q for an Entra connection (usersync reads Entra ID, it does not write to it), got %q", DirectorySource, c.DirectoryType)
	}
	switch {
	case c.TenantID == "":
		add("tenantId", "is required: the Directory (tenant) ID on the app registration's Overview page in the Entra admin center")
	case !guidRE.MatchString(c.TenantID) && !domainRE.MatchString(c.TenantID):
		add("tenantId", "must be the tenant's GUID or a verified domain name (contoso.onmicrosoft.com), got %q", c.TenantID)
	}
	switch {
	case c.ClientID == "":
		add("clientId", "is required: the Application (client) ID on the app registration's Overview page")
	case !guidRE.MatchString(c.ClientID):
		add("clientId", "must be the application's GUID, got %q", c.ClientID)
	}
	if c.Password != "" {
		cred, ok := c.EntraCredential()
		switch {
		case !ok:
			add("password", "is not used by Entra connections: give clientSecret or certificate")
		case cred.ClientSecret != "" && cred.Certificate != "":
			add("clientSecret", "and certificate are both given: give one of them")
		case cred.Certificate != "":
			if err := checkCertificatePEM(cred.Certificate); err != nil {
				add("certificate", "%v", err)
			}
		}
	}
	custom := c.AuthorityHost != "" || c.GraphURL != ""
	switch {
	case custom && c.Cloud != "":
		add("cloud", "must be empty when authorityHost and graphURL are given, got %q", c.Cloud)
	case custom:
		for _, f := range []struct{ name, v string }{{"authorityHost", c.AuthorityHost}, {"graphURL", c.GraphURL}} {
			u, err := url.Parse(f.v)
			switch {
			case f.v == "":
				add(f.name, "is required with %s", map[string]string{"authorityHost": "graphURL", "graphURL": "authorityHost"}[f.name])
			case err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
				add(f.name, "must be an https URL such as https://login.example.test/, got %q", f.v)
			case u.Scheme != "https":
				add(f.name, "must use https (the token and the client credential cross it), got %q", f.v)
			}
		}
	default:
		if _, ok := clouds[c.Cloud]; !ok {
			add("cloud", "must be %q, %q or %q (or give authorityHost and graphURL), got %q", CloudGlobal, CloudUSGovernment, CloudChina, c.Cloud)
		}
	}
	if c.Filter != "" {
		if _, err := ParseEntraFilter(c.Filter); err != nil {
			add("filter", "%v", err)
		}
	}
	if c.PollSeconds < MinEntraPollSeconds || c.PollSeconds > 3600 {
		add("pollSeconds", "must be between %d and 3600 (Graph throttles applications that poll faster), got %d", MinEntraPollSeconds, c.PollSeconds)
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"dnsName", c.DNSName != ""}, {"port", c.Port != 0}, {"security", c.Security != ""},
		{"caCertificate", c.CACertificate != ""}, {"tlsSkipVerify", c.TLSSkipVerify}, {"username", c.Username != ""}, {"searchFilter", c.SearchFilter != ""}} {
		if f.set {
			add(f.name, "is an LDAP setting and does not apply to an Entra connection: remove it (Graph is reached through cloud or graphURL)")
		}
	}
	return probs
}

// checkCertificatePEM checks that a PEM document holds a certificate and a
// private key, which is what signing in with a certificate needs.
func checkCertificatePEM(s string) error {
	var haveCert, haveKey bool
	rest := []byte(s)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE":
			if _, err := x509.ParseCertificate(b.Bytes); err != nil {
				return fmt.Errorf("holds a certificate that does not parse: %w", err)
			}
			haveCert = true
		case b.Type == "RSA PRIVATE KEY":
			haveKey = true
		case b.Type == "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return fmt.Errorf("holds a private key that does not parse (it must not be encrypted): %w", err)
			}
			if _, ok := k.(*rsa.PrivateKey); !ok {
				return fmt.Errorf("holds a %T private key: Entra certificate credentials are RSA, so create an RSA certificate (2048 bits or more)", k)
			}
			haveKey = true
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			return fmt.Errorf("holds a %s: Entra certificate credentials are RSA, so give an RSA key (PKCS#1 or unencrypted PKCS#8)", b.Type)
		}
	}
	switch {
	case !haveCert:
		return fmt.Errorf("must be PEM holding the certificate registered on the application and its private key: no CERTIFICATE block found")
	case !haveKey:
		return fmt.Errorf("must hold the certificate's private key too (a PRIVATE KEY block, not encrypted): only the certificate was found")
	}
	return nil
}
