package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/web"
)

// TestSCIMTokenCLI: a SCIM token is printed once, listed without its
// value, opens the connection's SCIM endpoint, and stops working when
// revoked. Bad requests exit 2 and change nothing.
func TestSCIMTokenCLI(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			c := newCLIOn(t, kind)
			c.apply(map[string]any{"name": "entra", "systemType": "scim"})
			c.apply(map[string]any{"name": "corp", "dnsName": "ldap.example.com", "searchPath": "dc=example,dc=com"})
			for _, args := range [][]string{
				{"scim", "token", "create", "x"},                              // no --connection
				{"scim", "token", "create", "x", "--connection", "corp"},      // not a SCIM connection
				{"scim", "token", "create", "x", "--connection", "nobody"},    // no such connection
				{"scim", "token", "create", "--connection", "entra"},          // no name
				{"scim", "token", "revoke", "ghost", "--connection", "entra"}, // no such token
				{"scim", "token", "rotate", "--connection", "entra"},
			} {
				if out, code := c.run(args...); code != 2 {
					t.Errorf("usersync %s → %d, want 2\n%s", strings.Join(args, " "), code, out)
				}
			}
			out, code := c.run("scim", "token", "create", "entra-prod", "--connection", "entra")
			if code != 0 {
				t.Fatalf("create → %d\n%s", code, out)
			}
			tok := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
			if !strings.HasPrefix(tok, "usscim_") {
				t.Fatalf("no token on the first line: %q", out)
			}
			if out, code := c.run("scim", "token", "create", "entra-prod", "--connection", "entra"); code != 2 {
				t.Errorf("a second token of the same name → %d, want 2\n%s", code, out)
			}
			list, code := c.run("scim", "token", "list", "--connection", "entra", "--json")
			if code != 0 || strings.Contains(list, tok) || strings.Contains(list, tok[7:]) {
				t.Fatalf("list → %d, must not show the token:\n%s", code, list)
			}
			var ts []map[string]any
			if err := json.Unmarshal([]byte(list[:strings.LastIndex(list, "]")+1]), &ts); err != nil || len(ts) != 1 || ts[0]["name"] != "entra-prod" {
				t.Fatalf("list: %v %v", ts, err)
			}

			a := apptest.Open(t, c.db, nil)
			w, err := web.New(context.Background(), a, web.Options{})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(w)
			defer srv.Close()
			get := func() int {
				req, _ := http.NewRequest("GET", srv.URL+"/scim/v2/entra/Users", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if got := get(); got != 200 {
				t.Fatalf("GET /Users with the new token → %d", got)
			}
			if out, code := c.run("scim", "token", "revoke", "entra-prod", "--connection", "entra"); code != 0 {
				t.Fatalf("revoke → %d\n%s", code, out)
			}
			if got := get(); got != 401 {
				t.Fatalf("GET /Users with a revoked token → %d, want 401", got)
			}
		})
	}
}
