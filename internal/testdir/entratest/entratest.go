// Package entratest serves the local Graph (internal/testdir/graph) the
// way an Entra connection reaches a tenant in tests: over TLS on 127.0.0.1,
// its CA trusted through SSL_CERT_FILE, with a connection document that
// points authorityHost and graphURL at it.
package entratest

import (
	"testing"

	"github.com/usersync/usersync/internal/testdir/graph"
)

// Start serves a fresh tenant for the test and sets SSL_CERT_FILE to its
// CA, so that the test cannot run in parallel with others.
func Start(t testing.TB, opts graph.Options) *graph.Server {
	t.Helper()
	s := graph.New(t, opts)
	ca, err := s.WriteCAFile(t.TempDir())
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
