package graph

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/testdir/certs"
)

// Options configures a Server. The zero value is a tenant with one
// application registration (DefaultClientID, DefaultSecret) holding the
// permissions a user-and-group reader needs.
type Options struct {
	// TenantID is the directory (tenant) id; a fixed GUID when empty.
	TenantID string
	// Domains are other names the token endpoint accepts for the tenant,
	// such as "contoso.onmicrosoft.com".
	Domains []string
	// Apps are the application registrations; DefaultApp when empty.
	Apps []App
	// PageSize is the number of objects in a page when the client does not
	// ask for fewer; 100 when zero.
	PageSize int
	// MembersPerPage is how many members@delta entries fit in one delta
	// page before a group is split across pages; 1000 when zero.
	MembersPerPage int
	// TokenLifetime is the access tokens' lifetime; an hour when zero.
	TokenLifetime time.Duration
	// DeltaTokenLifetime is how long a delta or skip token stays valid;
	// seven days when zero (delta-query-overview.md, token duration: for
	// directory objects the limit is seven days).
	DeltaTokenLifetime time.Duration
	// BaseURL overrides the URL the server prints in links (@odata.nextLink,
	// the token endpoint in discovery); Handler's users set it.
	BaseURL string
}

// DefaultTenantID, DefaultClientID and DefaultSecret identify the tenant
// and application registration a server has unless Options say otherwise.
const (
	DefaultTenantID = "8f3c1c55-2f1e-4d2b-9a57-3c5e2b1f0a11"
	DefaultClientID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	DefaultSecret   = "local~graph~secret~0123456789"
)

// DefaultApp is the registration a server has when Options.Apps is empty:
// a client secret and the application permissions to read users, groups and
// their members.
func DefaultApp() App {
	return App{ClientID: DefaultClientID, Secret: DefaultSecret, Roles: []string{"User.Read.All", "GroupMember.Read.All"}}
}

// Server is a local Microsoft Graph tenant.
type Server struct {
	opts     Options
	tenantID string
	domains  map[string]bool

	mu         sync.Mutex
	version    uint64
	users      map[string]*userRec
	userOrder  []string
	groups     map[string]*groupRec
	groupOrder []string
	apps       map[string]*App
	rounds     map[string]*round
	roundOrder []string
	roundUnits int // objects held by the kept rounds
	tokens     map[string]*deltaState
	tokenGen   uint64 // access tokens issued before this generation are revoked
	faults     faults
	quirks     Quirks
	log        []Request

	signKey *ecdsa.PrivateKey

	// CAPEM is the PEM of the CA that signed the server's certificate: what
	// a client must trust (a cert pool, or SSL_CERT_FILE).
	CAPEM []byte
	url   string
	hs    *http.Server

	clientOnce sync.Once
	client     *http.Client
	ln         net.Listener
}

// NewHandler makes a tenant without a listener: serve Handler() on a
// listener of your own and set Options.BaseURL to its URL.
func NewHandler(opts Options) (*Server, error) {
	if opts.TenantID == "" {
		opts.TenantID = DefaultTenantID
	}
	if len(opts.Apps) == 0 {
		opts.Apps = []App{DefaultApp()}
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.MembersPerPage <= 0 {
		opts.MembersPerPage = 1000
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.DeltaTokenLifetime <= 0 {
		opts.DeltaTokenLifetime = 7 * 24 * time.Hour
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("graph: signing key: %w", err)
	}
	s := &Server{
		opts: opts, tenantID: opts.TenantID, domains: map[string]bool{},
		users: map[string]*userRec{}, groups: map[string]*groupRec{},
		apps: map[string]*App{}, rounds: map[string]*round{}, tokens: map[string]*deltaState{},
		signKey: key, url: opts.BaseURL,
	}
	for _, d := range opts.Domains {
		s.domains[d] = true
	}
	for _, a := range opts.Apps {
		if err := s.AddApp(a); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Start makes a tenant and serves it over TLS on 127.0.0.1 with a fresh CA.
func Start(opts Options) (*Server, error) {
	s, err := NewHandler(opts)
	if err != nil {
		return nil, err
	}
	pair, err := certs.New("local graph CA", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("graph: server certificate: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("graph: listen: %w", err)
	}
	s.CAPEM = pair.CAPEM
	s.ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if s.url == "" {
		s.url = "https://" + ln.Addr().String()
	}
	s.hs = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.hs.Serve(s.ln) }()
	return s, nil
}

// New starts a tenant for a test and stops it when the test ends.
func New(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the listener Start opened.
func (s *Server) Close() {
	if s.hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.hs.Shutdown(ctx)
	}
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
}

// URL is the server's base URL (scheme and host): the sign-in host, and
// the Graph base with "/v1.0" appended.
func (s *Server) URL() string { return s.baseURL() }

// GraphURL is the Graph v1.0 base URL.
func (s *Server) GraphURL() string { return s.baseURL() + "/v1.0" }

// TenantID is the tenant's directory id.
func (s *Server) TenantID() string { return s.tenantID }

// TokenURL is the tenant's OAuth 2.0 v2.0 token endpoint.
func (s *Server) TokenURL() string { return s.baseURL() + "/" + s.tenantID + "/oauth2/v2.0/token" }

// CertPool is a pool holding the server's CA.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(s.CAPEM)
	return p
}

// Client is an HTTP client that trusts the server's CA; the same one each
// time, so that its connections are reused.
func (s *Server) Client() *http.Client {
	s.clientOnce.Do(func() {
		s.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12}}}
	})
	return s.client
}

// WriteCAFile writes the CA's PEM into dir and returns its path, for
// SSL_CERT_FILE.
func (s *Server) WriteCAFile(dir string) (string, error) {
	if len(s.CAPEM) == 0 {
		return "", errors.New("graph: the server has no CA: it was not started with Start")
	}
	p := filepath.Join(dir, "graph-ca.pem")
	if err := os.WriteFile(p, s.CAPEM, 0o644); err != nil {
		return "", fmt.Errorf("graph: %w", err)
	}
	return p, nil
}

// SetBaseURL sets the URL printed in links, for a Handler served on a
// listener of the caller's.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url = u
}

func (s *Server) baseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}
