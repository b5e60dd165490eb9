package scimpush

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/usersync/usersync/internal/connection"
)

// ErrNoCredential is returned for a target without a token or client
// secret: usersync never pushes users unauthenticated.
var ErrNoCredential = errors.New("scimpush: the target has no token or client secret")

// NewClient builds the client of a push target whose credential was
// opened (c.Password holds it). TLS is verified against the system roots,
// or against caCertificate when the application uses a private CA.
func NewClient(c connection.Connection) (*Client, error) {
	cred, ok := c.PushCredential()
	if !ok {
		return nil, fmt.Errorf("connection %q: %w", c.Name, ErrNoCredential)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.TLSSkipVerify} //nolint:gosec // only when the operator says so; Insecure warns
	if c.CACertificate != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(c.CACertificate)) {
			return nil, fmt.Errorf("connection %q: caCertificate: no PEM certificate in it", c.Name)
		}
		tlsConf.RootCAs = pool
	}
	base := &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConf, MaxIdleConnsPerHost: 8,
		TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: time.Minute}
	var hc *http.Client
	if cred.Token != "" {
		hc = &http.Client{Transport: bearerTransport{token: cred.Token, base: base}, Timeout: 2 * time.Minute}
	} else {
		cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: cred.ClientSecret, TokenURL: c.TokenURL, Scopes: c.OAuthScopes}
		// The token endpoint is reached through the same TLS settings as
		// the SCIM endpoint.
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: base, Timeout: time.Minute})
		hc = cc.Client(ctx)
		hc.Timeout = 2 * time.Minute
	}
	rate := c.RequestsPerSecond
	if rate == 0 {
		rate = connection.DefaultPushRate
	}
	return &Client{BaseURL: c.BaseURL, HTTP: hc, Retries: 5, Backoff: RetryBackoff, MaxWait: 2 * time.Minute, Limiter: &Limiter{Rate: rate}}, nil
}

// RetryBackoff is the first wait of a target's client after a 5xx or a
// failed connection; tests shorten it.
var RetryBackoff = time.Second

// bearerTransport adds the target's token to every request (RFC 6750).
type bearerTransport struct {
	token string
	base  http.RoundTripper
}

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}
