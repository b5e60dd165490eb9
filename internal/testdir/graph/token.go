package graph

import (
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition, not a security choice of ours
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// App is an application registration in the tenant: its client id, its
// credentials (a client secret, certificates, or both) and the application
// permissions an administrator granted it, which its access tokens carry as
// "roles".
type App struct {
	ClientID string
	// Secret is a client secret; SecretExpires, when set, is when it stops
	// working (AADSTS7000222 after that).
	Secret        string
	SecretExpires time.Time
	// CertPEM holds the public certificates registered for a certificate
	// credential, PEM-encoded, one or more.
	CertPEM []byte
	// Roles are the granted application permissions, such as
	// User.Read.All and GroupMember.Read.All.
	Roles []string

	thumbs map[string]*x509.Certificate // by SHA-1 and SHA-256 thumbprint bytes
}

// AddApp registers an application, or replaces the one with the same
// client id.
func (s *Server) AddApp(a App) error {
	if a.ClientID == "" {
		return errors.New("graph: app: clientId is empty")
	}
	a.Roles = append([]string(nil), a.Roles...)
	a.thumbs = map[string]*x509.Certificate{}
	rest := a.CertPEM
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return fmt.Errorf("graph: app %s: certificate: %w", a.ClientID, err)
		}
		s1 := sha1.Sum(c.Raw) //nolint:gosec // see the import
		s256 := sha256.Sum256(c.Raw)
		a.thumbs[string(s1[:])] = c
		a.thumbs[string(s256[:])] = c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[a.ClientID] = &a
	return nil
}

// SetRoles replaces the application permissions granted to an app; tokens
// issued before keep the roles they were issued with, as in Entra.
func (s *Server) SetRoles(clientID string, roles ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[clientID]
	if !ok {
		return fmt.Errorf("graph: app %s: %w", clientID, ErrNotFound)
	}
	a.Roles = append([]string(nil), roles...)
	return nil
}

// RevokeTokens makes every access token issued so far invalid: Graph then
// answers 401 InvalidAuthenticationToken, as for an expired token.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenGen++
}

// stsError is the identity platform's error body
// (entra-docs identity-platform/v2-oauth2-client-creds-grant-flow.md, error
// response: error, error_description starting with the AADSTS code,
// error_codes, timestamp, trace_id, correlation_id).
type stsError struct {
	status int
	Error  string `json:"error"`
	Desc   string `json:"error_description"`
	Codes  []int  `json:"error_codes"`
	Time   string `json:"timestamp"`
	Trace  string `json:"trace_id"`
	Corr   string `json:"correlation_id"`
	URI    string `json:"error_uri"`
}

func newSTSError(status int, kind string, code int, msg string) *stsError {
	now := time.Now().UTC()
	trace, corr := newID(), newID()
	return &stsError{
		status: status, Error: kind, Codes: []int{code},
		Desc: fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", code, msg, trace, corr, now.Format("2006-01-02 15:04:05Z")),
		Time: now.Format("2006-01-02 15:04:05Z"), Trace: trace, Corr: corr,
		URI: fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code),
	}
}

func writeSTS(w http.ResponseWriter, e *stsError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(e)
}

func (s *Server) knownTenant(t string) bool {
	return t == s.tenantID || s.domains[t]
}

// handleToken serves POST /{tenant}/oauth2/v2.0/token for the client
// credentials grant (entra-docs
// identity-platform/v2-oauth2-client-creds-grant-flow.md: grant_type
// client_credentials, scope {resource}/.default, and client_secret or a
// client_assertion of type jwt-bearer; the answer is token_type,
// expires_in and access_token).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodPost {
		writeSTS(w, newSTSError(http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests."))
		return
	}
	if !s.knownTenant(tenant) {
		// reference-error-codes.md: AADSTS90002, the tenant was not found
		// (a wrong tenant id, or the wrong cloud).
		writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_request", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant)))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."))
		return
	}
	f := r.PostForm
	if gt := f.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."))
			return
		}
		writeSTS(w, newSTSError(http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt)))
		return
	}
	clientID := f.Get("client_id")
	secret := f.Get("client_secret")
	// client_secret_basic: the id and secret in the Authorization header
	// (RFC 6749 section 2.3.1), which the platform accepts as well.
	if u, p, ok := r.BasicAuth(); ok {
		if id, err := url.QueryUnescape(u); err == nil && clientID == "" {
			clientID = id
		}
		if sec, err := url.QueryUnescape(p); err == nil && secret == "" {
			secret = sec
		}
	}
	assertion := f.Get("client_assertion")
	if clientID == "" && assertion != "" {
		// The client id may come only inside the assertion (its sub).
		if tok, _, err := jwt.NewParser().ParseUnverified(assertion, jwt.MapClaims{}); err == nil {
			if sub, err := tok.Claims.GetSubject(); err == nil {
				clientID = sub
			}
		}
	}
	if clientID == "" {
		writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."))
		return
	}
	scope := f.Get("scope")
	if scope == "" {
		writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."))
		return
	}
	// v2-oauth2-client-creds-grant-flow.md: the scope of this flow is the
	// resource with /.default; anything else is refused (AADSTS1002012).
	// MSAL adds the OpenID Connect scopes (openid, profile,
	// offline_access) to every request; the platform ignores them here.
	var resources []string
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "openid", "profile", "offline_access", "email":
		default:
			resources = append(resources, sc)
		}
	}
	if len(resources) > 1 {
		// reference-error-codes.md: AADSTS700022, a scope naming more
		// than one resource.
		writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_scope", 700022, fmt.Sprintf("The provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.", scope)))
		return
	}
	if len(resources) != 1 || !strings.HasSuffix(resources[0], "/.default") {
		writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)))
		return
	}
	s.mu.Lock()
	app, ok := s.apps[clientID]
	var appCopy App
	if ok {
		appCopy = *app
	}
	s.mu.Unlock()
	if !ok {
		// reference-error-codes.md: AADSTS700016, no application with this
		// identifier in the directory.
		writeSTS(w, newSTSError(http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", clientID, tenant)))
		return
	}
	switch {
	case secret != "":
		if appCopy.Secret == "" || !constantTimeEqual(secret, appCopy.Secret) {
			// reference-error-codes.md: AADSTS7000215, an invalid client
			// secret was provided.
			writeSTS(w, newSTSError(http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID)))
			return
		}
		if !appCopy.SecretExpires.IsZero() && time.Now().After(appCopy.SecretExpires) {
			// reference-error-codes.md: AADSTS7000222, the client secret
			// keys have expired.
			writeSTS(w, newSTSError(http.StatusUnauthorized, "invalid_client", 7000222, fmt.Sprintf("The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app.", clientID)))
			return
		}
	case assertion != "":
		if t := f.Get("client_assertion_type"); t != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			// certificate-credentials.md: the type is the fixed jwt-bearer
			// URN; an assertion of another type is no credential.
			writeSTS(w, newSTSError(http.StatusUnauthorized, "invalid_client", 7000218, fmt.Sprintf("The request body must contain the following parameter: 'client_assertion' or 'client_secret'; client_assertion_type '%s' is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer.", t)))
			return
		}
		if e := s.verifyAssertion(assertion, &appCopy, tenant); e != nil {
			writeSTS(w, e)
			return
		}
	default:
		writeSTS(w, newSTSError(http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."))
		return
	}
	tok, exp, err := s.issueAccessToken(&appCopy)
	if err != nil {
		writeSTS(w, newSTSError(http.StatusInternalServerError, "server_error", 90000, err.Error()))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	secs := int(time.Until(exp).Seconds())
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": tok,
	})
}

// verifyAssertion checks a certificate credential (entra-docs
// identity-platform/certificate-credentials.md: a JWT signed with the
// certificate's private key, x5t or x5t#S256 naming the certificate, aud
// the token endpoint, iss and sub the client id, exp, nbf and jti).
// Unregistered certificates and bad signatures are AADSTS700027
// (reference-error-codes.md: the client assertion failed signature
// validation, or its certificate is not registered).
func (s *Server) verifyAssertion(assertion string, app *App, tenant string) *stsError {
	bad := func(msg string) *stsError {
		return newSTSError(http.StatusUnauthorized, "invalid_client", 700027, msg)
	}
	// The Azure SDK's troubleshooting pages list AADSTS50027 for a
	// malformed assertion, 700021 for a wrong issuer or subject and
	// 700023 for a wrong audience.
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, jwt.MapClaims{}); err != nil {
		return newSTSError(http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed. "+err.Error())
	}
	var cert *x509.Certificate
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(assertion, claims, func(t *jwt.Token) (any, error) {
		for _, h := range []string{"x5t#S256", "x5t"} {
			if v, ok := t.Header[h].(string); ok {
				if c, ok := app.thumbs[string(decodeThumbprint(v))]; ok {
					cert = c
					return c.PublicKey, nil
				}
			}
		}
		return nil, errors.New("certificate not registered")
	}, jwt.WithValidMethods([]string{"RS256", "PS256", "ES256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Minute))
	if cert == nil {
		return bad(fmt.Sprintf("The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]", app.ClientID))
	}
	if err != nil {
		return bad("Client assertion failed signature validation. " + err.Error())
	}
	if time.Now().After(cert.NotAfter) {
		return newSTSError(http.StatusUnauthorized, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - The key used is expired.]")
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	if iss != app.ClientID || sub != app.ClientID {
		return newSTSError(http.StatusUnauthorized, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
	}
	aud, _ := claims.GetAudience()
	// The audience is the token endpoint, naming the tenant by id or by
	// one of its domains (certificate-credentials.md's example uses
	// contoso.onmicrosoft.com).
	want := s.baseURL() + "/" + tenant + "/oauth2/v2.0/token"
	ok := false
	for _, a := range aud {
		rest, found := strings.CutPrefix(a, s.baseURL()+"/")
		t, path, _ := strings.Cut(rest, "/")
		if found && s.knownTenant(t) && (path == "oauth2/v2.0/token" || path == "v2.0") {
			ok = true
		}
	}
	if !ok {
		return newSTSError(http.StatusUnauthorized, "invalid_client", 700023, fmt.Sprintf("Client assertion audience claim does not match Realm issuer: %v is not %s.", aud, want))
	}
	return nil
}

// accessClaims are what our access tokens carry, the claims Entra puts in
// an app-only token that matter here (tid, appid, roles, exp).
type accessClaims struct {
	jwt.RegisteredClaims
	TenantID string   `json:"tid"`
	AppID    string   `json:"appid"`
	Roles    []string `json:"roles,omitempty"`
	Gen      uint64   `json:"usersync_gen"`
}

func (s *Server) issueAccessToken(app *App) (string, time.Time, error) {
	s.mu.Lock()
	gen := s.tokenGen
	s.mu.Unlock()
	now := time.Now()
	exp := now.Add(s.opts.TokenLifetime)
	c := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "https://sts.windows.net/" + s.tenantID + "/",
			Audience:  jwt.ClaimStrings{"https://graph.microsoft.com"},
			Subject:   app.ClientID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        newID(),
		},
		TenantID: s.tenantID, AppID: app.ClientID, Roles: app.Roles, Gen: gen,
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodES256, c).SignedString(s.signKey)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("graph: sign access token: %w", err)
	}
	return tok, exp, nil
}

// authorize checks the bearer token of a Graph request and that it carries
// one of the roles; it writes the error and returns false otherwise
// (errors.md: 401 for a missing, invalid or expired token, 403 when the
// caller lacks the permission).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, anyOf []string) bool {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || raw == "" {
		writeGraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return false
	}
	var c accessClaims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return &s.signKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithExpirationRequired(), jwt.WithAudience("https://graph.microsoft.com"))
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			writeGraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
			return false
		}
		writeGraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience or signature.")
		return false
	}
	s.mu.Lock()
	gen := s.tokenGen
	s.mu.Unlock()
	if c.Gen < gen {
		writeGraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
		return false
	}
	for _, have := range c.Roles {
		for _, want := range anyOf {
			if have == want {
				return true
			}
		}
	}
	writeGraphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	return false
}

// constantTimeEqual compares a presented secret without leaking, through
// timing, how much of it matched.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// decodeThumbprint decodes an x5t or x5t#S256 header. certificate-credentials.md
// says base64url, but MSAL sends standard base64 with padding, which Entra
// accepts as well; both are read.
func decodeThumbprint(v string) []byte {
	v = strings.TrimRight(v, "=")
	if b, err := base64.RawURLEncoding.DecodeString(v); err == nil {
		return b
	}
	if b, err := base64.RawStdEncoding.DecodeString(v); err == nil {
		return b
	}
	return nil
}
