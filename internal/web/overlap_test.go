package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
)

// TestOverlappingSourcesWarnAPI: a source connection that reads the same
// server, search path and filter as another is saved, with a warning that
// names the other; one that reads elsewhere gets none.
func TestOverlappingSourcesWarnAPI(t *testing.T) {
	e := newTestEnv(t)
	d := startDemoDir(t)
	if _, _, err := e.app.PutConnection(t.Context(), d.Connection("contoso")); err != nil {
		t.Fatal(err)
	}
	c := e.login()
	tests := []struct {
		name string
		edit func(*connection.Connection)
		warn bool
	}{
		{"the same settings", func(*connection.Connection) {}, true},
		{"the same path in other case and spacing", func(c *connection.Connection) {
			c.SearchPath = strings.ToLower(strings.ReplaceAll(c.SearchPath, ",", ", "))
		}, true},
		{"the parent of the path", func(c *connection.Connection) { c.SearchPath = "DC=contoso,DC=test" }, true},
		{"a filter that selects every entry", func(c *connection.Connection) { c.SearchFilter = "(objectClass=*)" }, true},
		{"the host name in capitals", func(c *connection.Connection) { c.DNSName = strings.ToUpper(c.DNSName) }, true},
		{"another path beside it", func(c *connection.Connection) { c.SearchPath = "OU=Groups,DC=contoso,DC=test" }, false},
		{"another filter", func(c *connection.Connection) { c.SearchFilter = "(department=Sales)" }, false},
		{"another port", func(c *connection.Connection) { c.Port++ }, false},
		{"a relying party", func(c *connection.Connection) { c.DirectoryType = connection.DirectoryRelyingParty }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := d.Connection("other")
			tt.edit(&conn)
			doc, _ := json.Marshal(conn)
			resp := c.do("PUT", "/api/v1/connections/other", "application/json", string(doc), map[string]string{csrfHeader: c.csrf})
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
				t.Fatalf("PUT: %d", resp.StatusCode)
			}
			got := resp.Header.Values("Warning")
			if tt.warn != (len(got) == 1 && strings.Contains(got[0], `\"contoso\"`)) {
				t.Fatalf("Warning headers %q, want a warning: %v", got, tt.warn)
			}
			resp = c.do("GET", "/api/v1/connections/other", "", "", nil)
			resp.Body.Close()
			if tt.warn != (len(resp.Header.Values("Warning")) == 1) {
				t.Fatalf("GET: Warning headers %q, want a warning: %v", resp.Header.Values("Warning"), tt.warn)
			}
			if code, _ := c.api("DELETE", "/api/v1/connections/other", ""); code != http.StatusNoContent {
				t.Fatalf("DELETE: %d", code)
			}
		})
	}
}
