package scimpush_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/scimpush"
	"github.com/usersync/usersync/internal/testdir/scimserver"
)

func target(t *testing.T, doc string) connection.Connection {
	t.Helper()
	c, err := connection.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// OAuth 2.0 client credentials (RFC 6749 section 4.4): the client asks the
// token endpoint with its id and secret and sends the access token it gets.
func TestPushClientCredentials(t *testing.T) {
	srv := scimserver.Start(t)
	var asked []string
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, _ := r.BasicAuth()
		asked = append(asked, r.PostForm.Get("grant_type")+" "+id+":"+secret)
		if secret != "the-secret" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, srv.Token)
	}))
	t.Cleanup(tokens.Close)
	for _, tc := range []struct {
		secret string
		ok     bool
	}{{"the-secret", true}, {"wrong", false}} {
		c := target(t, fmt.Sprintf(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":%q,"tokenUrl":%q,"clientId":"usersync","clientSecret":%q}`,
			srv.URL, tokens.URL, tc.secret))
		client, err := scimpush.NewClient(c)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := client.ServiceProviderConfig(context.Background())
		if tc.ok && (err != nil || !cfg.Patch) {
			t.Fatalf("with the right secret: %+v, %v", cfg, err)
		}
		if !tc.ok && err == nil {
			t.Fatal("a wrong client secret reached the target")
		}
	}
	if len(asked) < 2 || asked[0] != "client_credentials usersync:the-secret" {
		t.Fatalf("token requests = %q", asked)
	}
}

// TLS is verified by default; a private CA is trusted through
// caCertificate, and a token is never pushed without one.
func TestPushClientVerifiesTLS(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		fmt.Fprint(w, `{"patch":{"supported":true},"filter":{"supported":true}}`)
	}))
	t.Cleanup(tlsSrv.Close)
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}))
	doc := func(extra string) string {
		return fmt.Sprintf(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":%q,"token":"t"%s}`, tlsSrv.URL, extra)
	}
	client, err := scimpush.NewClient(target(t, doc("")))
	if err != nil {
		t.Fatal(err)
	}
	client.Retries = 0
	if _, err := client.ServiceProviderConfig(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("an unknown CA was trusted: %v", err)
	}
	client, err = scimpush.NewClient(target(t, doc(fmt.Sprintf(`,"caCertificate":%q`, ca))))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := client.ServiceProviderConfig(context.Background()); err != nil || !cfg.Patch {
		t.Fatalf("with the private CA: %+v, %v", cfg, err)
	}
	noCred := target(t, fmt.Sprintf(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":%q}`, tlsSrv.URL))
	if _, err := scimpush.NewClient(noCred); !errors.Is(err, scimpush.ErrNoCredential) {
		t.Fatalf("a target without a credential: %v", err)
	}
}
