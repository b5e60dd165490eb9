// Package entratest serves the local Graph (internal/testdir/graph) the
// way an Entra connection reaches a tenant in tests: over TLS on 127.0.0.1,
// its CA trusted through SSL_CERT_FILE, with a connection document that
// points authorityHost and graphURL at it.
package entratest

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/certs"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// Start serves a fresh tenant for the test and sets SSL_CERT_FILE to its
// CA, so that it cannot run in parallel with other tests.
//
// The tenant is served through scopeFix: Microsoft's authentication
// library sends "RESOURCE/.default openid offline_access profile" as the
// scope of a client-credentials request, which the real sign-in endpoint
// accepts and the local one refuses so far.
func Start(t testing.TB, opts graph.Options) *graph.Server {
	t.Helper()
	s, err := graph.NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := certs.New("entra test CA", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(scopeFix(s.Handler()))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.SetBaseURL(srv.URL)
	ca, _, _, err := pair.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", ca)
	return s
}

// Doc is a connection document named "entra" for the tenant, signing in
// with the default application's secret.
func Doc(s *graph.Server) map[string]any {
	return map[string]any{
		"name": "entra", "systemType": "entra", "tenantId": s.TenantID(), "clientId": graph.DefaultClientID,
		"clientSecret": graph.DefaultSecret, "authorityHost": s.URL() + "/", "graphURL": s.URL(),
	}
}

// scopeFix keeps only the RESOURCE/.default scope of a token request.
func scopeFix(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") && r.ParseForm() == nil {
			var keep []string
			for _, sc := range strings.Fields(r.PostForm.Get("scope")) {
				if strings.HasSuffix(sc, "/.default") {
					keep = append(keep, sc)
				}
			}
			r.PostForm.Set("scope", strings.Join(keep, " "))
			body := r.PostForm.Encode()
			r.Body = io.NopCloser(strings.NewReader(body))
			r.ContentLength = int64(len(body))
			r.Form, r.PostForm = nil, nil
		}
		h.ServeHTTP(w, r)
	})
}
