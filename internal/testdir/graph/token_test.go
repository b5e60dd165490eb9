package graph

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testCert makes a self-signed RSA certificate, as an administrator uploads
// to an app registration.
func testCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "usersync test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// assertion signs a client assertion the way certificate-credentials.md
// describes: RS256 (or PS256), x5t the SHA-1 thumbprint, aud the token
// endpoint, iss and sub the client id.
func assertion(t *testing.T, c *x509.Certificate, key *rsa.PrivateKey, clientID, aud string, method jwt.SigningMethod) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(method, jwt.MapClaims{
		"aud": aud, "iss": clientID, "sub": clientID, "jti": newID(),
		"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	})
	th := sha1.Sum(c.Raw) //nolint:gosec // see the import
	tok.Header["x5t"] = base64.RawURLEncoding.EncodeToString(th[:])
	sig, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestTokenEndpoint(t *testing.T) {
	cert, key, certPEM := testCert(t)
	other, otherKey, _ := testCert(t)
	const certApp = "0f0e0d0c-0b0a-4090-8070-605040302010"
	const expiredApp = "11111111-2222-4333-8444-555555555555"
	s := New(t, Options{Domains: []string{"contoso.onmicrosoft.com"}, Apps: []App{
		DefaultApp(),
		{ClientID: certApp, CertPEM: certPEM, Roles: []string{"User.Read.All"}},
		{ClientID: expiredApp, Secret: "old", SecretExpires: time.Now().Add(-time.Hour), Roles: []string{"User.Read.All"}},
	}})
	tokenURL := s.TokenURL()
	certForm := func(a string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {certApp}, "scope": {"https://graph.microsoft.com/.default"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
	}
	withScope := func(f url.Values, scope string) url.Values { f.Set("scope", scope); return f }
	tests := []struct {
		name   string
		tenant string
		form   url.Values
		status int
		err    string
		code   float64
	}{
		// reference-error-codes.md names each of these codes.
		{"unknown tenant", "00000000-dead-4000-8000-000000000000", secretForm(DefaultClientID, DefaultSecret), 400, "invalid_request", 90002},
		{"unknown client", s.TenantID(), secretForm("99999999-9999-4999-8999-999999999999", DefaultSecret), 400, "unauthorized_client", 700016},
		{"wrong secret", s.TenantID(), secretForm(DefaultClientID, "wrong"), 401, "invalid_client", 7000215},
		{"empty secret", s.TenantID(), secretForm(DefaultClientID, ""), 401, "invalid_client", 7000218},
		{"expired secret", s.TenantID(), secretForm(expiredApp, "old"), 401, "invalid_client", 7000222},
		{"scope without .default", s.TenantID(), withScope(secretForm(DefaultClientID, DefaultSecret), "User.Read.All"), 400, "invalid_scope", 1002012},
		{"certificate not registered", s.TenantID(), certForm(assertion(t, other, otherKey, certApp, tokenURL, jwt.SigningMethodRS256)), 401, "invalid_client", 700027},
		{"assertion signed by another key", s.TenantID(), certForm(func() string {
			a := assertion(t, other, otherKey, certApp, tokenURL, jwt.SigningMethodRS256)
			// The registered certificate's thumbprint over another key's signature.
			th := sha1.Sum(cert.Raw) //nolint:gosec // see the import
			parts := strings.Split(a, ".")
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT","x5t":"` + base64.RawURLEncoding.EncodeToString(th[:]) + `"}`))
			return h + "." + parts[1] + "." + parts[2]
		}()), 401, "invalid_client", 700027},
		{"assertion for another audience", s.TenantID(), certForm(assertion(t, cert, key, certApp, "https://login.example/token", jwt.SigningMethodRS256)), 401, "invalid_client", 700023},
		{"two resources", s.TenantID(), withScope(secretForm(DefaultClientID, DefaultSecret), "https://graph.microsoft.com/.default https://vault.azure.net/.default"), 400, "invalid_scope", 700022},
		{"malformed assertion", s.TenantID(), certForm("not.a.jwt"), 400, "invalid_request", 50027},
		{"assertion of another type", s.TenantID(), func() url.Values {
			f := certForm(assertion(t, cert, key, certApp, tokenURL, jwt.SigningMethodRS256))
			f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return f
		}(), 401, "invalid_client", 7000218},
		{"assertion for another client", s.TenantID(), func() url.Values {
			f := certForm(assertion(t, cert, key, DefaultClientID, tokenURL, jwt.SigningMethodRS256))
			return f
		}(), 401, "invalid_client", 700021},
		{"secret", s.TenantID(), secretForm(DefaultClientID, DefaultSecret), 200, "", 0},
		{"scope with the OpenID scopes MSAL adds", s.TenantID(), withScope(secretForm(DefaultClientID, DefaultSecret), "https://graph.microsoft.com/.default openid offline_access profile"), 200, "", 0},
		{"secret, tenant by domain", "contoso.onmicrosoft.com", secretForm(DefaultClientID, DefaultSecret), 200, "", 0},
		{"certificate RS256", s.TenantID(), certForm(assertion(t, cert, key, certApp, tokenURL, jwt.SigningMethodRS256)), 200, "", 0},
		{"certificate, audience naming the tenant's domain", s.TenantID(), certForm(assertion(t, cert, key, certApp, s.URL()+"/contoso.onmicrosoft.com/oauth2/v2.0/token", jwt.SigningMethodRS256)), 200, "", 0},
		{"certificate, audience naming another tenant", s.TenantID(), certForm(assertion(t, cert, key, certApp, s.URL()+"/fabrikam.onmicrosoft.com/oauth2/v2.0/token", jwt.SigningMethodRS256)), 401, "invalid_client", 700023},
		{"certificate PS256", s.TenantID(), certForm(assertion(t, cert, key, certApp, tokenURL, jwt.SigningMethodPS256)), 200, "", 0},
		{"certificate PS256, x5t#S256 in standard base64 as MSAL sends it", s.TenantID(), certForm(func() string {
			th := sha256.Sum256(cert.Raw)
			tok := jwt.NewWithClaims(jwt.SigningMethodPS256, jwt.MapClaims{"aud": tokenURL, "iss": certApp, "sub": certApp, "jti": newID(),
				"nbf": time.Now().Unix(), "exp": time.Now().Add(10 * time.Minute).Unix()})
			tok.Header = map[string]any{"alg": "PS256", "typ": "JWT", "x5t#S256": base64.StdEncoding.EncodeToString(th[:])}
			a, err := tok.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}()), 200, "", 0},
		{"expired assertion", s.TenantID(), certForm(func() string {
			th := sha1.Sum(cert.Raw) //nolint:gosec // see the import
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"aud": tokenURL, "iss": certApp, "sub": certApp, "jti": newID(),
				"nbf": time.Now().Add(-time.Hour).Unix(), "exp": time.Now().Add(-30 * time.Minute).Unix()})
			tok.Header["x5t"] = base64.RawURLEncoding.EncodeToString(th[:])
			a, err := tok.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}()), 401, "invalid_client", 700027},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := postToken(t, s, tc.tenant, tc.form)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if tc.status == 200 {
				if a.str("token_type") != "Bearer" || a.str("access_token") == "" || a.body["expires_in"].(float64) < 3000 {
					t.Fatalf("token answer %s", a.raw)
				}
				return
			}
			if a.str("error") != tc.err {
				t.Errorf("error %q, want %q", a.str("error"), tc.err)
			}
			codes, _ := a.body["error_codes"].([]any)
			if len(codes) != 1 || codes[0].(float64) != tc.code {
				t.Errorf("error_codes %v, want [%v]", codes, tc.code)
			}
			want := "AADSTS" + big.NewInt(int64(tc.code)).String() + ":"
			if !strings.HasPrefix(a.str("error_description"), want) {
				t.Errorf("error_description %q does not start with %s", a.str("error_description"), want)
			}
			for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
				if a.str(k) == "" {
					t.Errorf("no %s in %s", k, a.raw)
				}
			}
		})
	}
}

func TestGraphRefusesBadTokensAndMissingPermissions(t *testing.T) {
	const usersOnly = "22222222-3333-4444-8555-666666666666"
	s := New(t, Options{Apps: []App{DefaultApp(), {ClientID: usersOnly, Secret: "s", Roles: []string{"User.Read.All"}}}})
	good := token(t, s)
	expiring := New(t, Options{TokenLifetime: time.Nanosecond})
	expired := token(t, expiring)
	a := postToken(t, s, s.TenantID(), secretForm(usersOnly, "s"))
	usersTok := a.str("access_token")
	revokedSrv := New(t)
	revoked := token(t, revokedSrv)
	revokedSrv.RevokeTokens()

	tests := []struct {
		name   string
		srv    *Server
		tok    string
		path   string
		status int
		code   string
	}{
		{"no token", s, "", "/users/delta", 401, "InvalidAuthenticationToken"},
		{"garbage token", s, "not-a-jwt", "/users", 401, "InvalidAuthenticationToken"},
		{"another tenant's token", s, revoked, "/users", 401, "InvalidAuthenticationToken"},
		{"expired token", expiring, expired, "/users/delta", 401, "InvalidAuthenticationToken"},
		{"revoked token", revokedSrv, revoked, "/users/delta", 401, "InvalidAuthenticationToken"},
		{"users only, groups delta", s, usersTok, "/groups/delta", 403, "Authorization_RequestDenied"},
		{"users only, members", s, usersTok, "/groups/x/members", 403, "Authorization_RequestDenied"},
		{"users only, users delta", s, usersTok, "/users/delta", 200, ""},
		{"good token", s, good, "/groups/delta", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, tc.srv, tc.tok, tc.path)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if tc.code != "" {
				if a.graphErr() != tc.code {
					t.Errorf("code %q, want %q: %s", a.graphErr(), tc.code, a.raw)
				}
				inner, _ := a.body["error"].(map[string]any)["innerError"].(map[string]any)
				if inner["request-id"] == nil || inner["date"] == nil {
					t.Errorf("innerError lacks request-id or date: %s", a.raw)
				}
			}
		})
	}
}

// TestTokenWithBasicAuth: the client id and secret may come in the
// Authorization header (client_secret_basic) instead of the form.
func TestTokenWithBasicAuth(t *testing.T) {
	s := New(t)
	for _, tc := range []struct {
		secret string
		status int
	}{{DefaultSecret, 200}, {"wrong", 401}} {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}}
		req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(DefaultClientID, tc.secret)
		if a := do(t, s, req); a.status != tc.status {
			t.Errorf("secret %q: %d %s", tc.secret, a.status, a.raw)
		}
	}
}

func TestDiscoveryForMSAL(t *testing.T) {
	s := New(t)
	a := get(t, s, "", s.URL()+"/"+s.TenantID()+"/v2.0/.well-known/openid-configuration")
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	if got := a.str("token_endpoint"); got != s.TokenURL() {
		t.Errorf("token_endpoint %q, want %q", got, s.TokenURL())
	}
	if got, want := a.str("issuer"), s.URL()+"/"+s.TenantID()+"/v2.0"; got != want {
		t.Errorf("issuer %q, want %q", got, want)
	}
	a = get(t, s, "", s.URL()+"/nosuchtenant/v2.0/.well-known/openid-configuration")
	if a.status != http.StatusBadRequest {
		t.Errorf("unknown tenant: status %d: %s", a.status, a.raw)
	}
	a = get(t, s, "", s.URL()+"/common/discovery/instance?api-version=1.1&authorization_endpoint="+url.QueryEscape(s.URL()+"/"+s.TenantID()+"/oauth2/v2.0/authorize"))
	if a.status != http.StatusOK || a.str("tenant_discovery_endpoint") == "" {
		t.Errorf("instance discovery: %d %s", a.status, a.raw)
	}
}
