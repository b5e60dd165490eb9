package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
)

// partialDoc is a configureTwo document as an administrator may write it:
// keys left out, spaces between tokens. It is stored exactly so.
const partialDoc = `{"schemaVersion": 1, "mailFallbackOnMissingUpn": {"enabled": true}}`

// TestConfigureTwoOneRule: every path that saves a configureTwo document
// (the connection API, the configure-two API, the Edit Directory form)
// stores it byte for byte as written, and refuses it on a source
// connection, where the Advanced UPN Sync Settings do not exist.
func TestConfigureTwoOneRule(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "rp", connection.DirectoryRelyingParty)
	putDemo(t, e, "src", connection.DirectorySource)
	c := e.login()
	stored := func(name string) string {
		t.Helper()
		code, body := c.api("GET", "/api/v1/connections/"+name+"/configure-two", "")
		if code != 200 {
			t.Fatalf("GET configure-two of %s: %d %s", name, code, body)
		}
		return body
	}
	doc := func(name, dirType, configureTwo string) string {
		cn, _, err := e.app.Store.GetConnection(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		cn.DirectoryType, cn.ConfigureTwo = dirType, configureTwo
		raw, _ := json.Marshal(cn)
		return string(raw)
	}
	wantField := func(t *testing.T, what string, code int, body, field string) {
		t.Helper()
		var ae apiError
		_ = json.Unmarshal([]byte(body), &ae)
		if code != 400 || ae.Field != field || !strings.Contains(ae.Message, "relying part") {
			t.Fatalf("%s: %d %s, want 400 naming %s", what, code, body, field)
		}
	}

	t.Run("connection API stores as written", func(t *testing.T) {
		if code, body := c.api("PUT", "/api/v1/connections/rp", doc("rp", connection.DirectoryRelyingParty, partialDoc)); code != 200 {
			t.Fatalf("PUT connection: %d %s", code, body)
		}
		if got := stored("rp"); got != partialDoc {
			t.Fatalf("stored %q, want %q", got, partialDoc)
		}
	})
	t.Run("configure-two API stores as written", func(t *testing.T) {
		if code, body := c.api("PUT", "/api/v1/connections/rp/configure-two", partialDoc); code != 200 || body != partialDoc {
			t.Fatalf("PUT configure-two: %d %s", code, body)
		}
		if got := stored("rp"); got != partialDoc {
			t.Fatalf("stored %q, want %q", got, partialDoc)
		}
	})
	t.Run("edit form stores as written", func(t *testing.T) {
		code, body := c.form("/connections/rp", url.Values{"configureTwo": {seedJSON[2]}})
		if code != 303 {
			t.Fatalf("POST form: %d %s", code, body)
		}
		if got := stored("rp"); got != seedJSON[2] {
			t.Fatalf("stored %q, want %q", got, seedJSON[2])
		}
		code, body = c.form("/connections/rp", url.Values{"configureTwo": {partialDoc}})
		if code != 303 {
			t.Fatalf("POST form: %d %s", code, body)
		}
		if got := stored("rp"); got != partialDoc {
			t.Fatalf("stored %q, want %q", got, partialDoc)
		}
	})
	t.Run("connection API refuses it on a source", func(t *testing.T) {
		code, body := c.api("PUT", "/api/v1/connections/src", doc("src", connection.DirectorySource, partialDoc))
		wantField(t, "PUT connection", code, body, "configureTwo")
	})
	t.Run("configure-two API refuses it on a source", func(t *testing.T) {
		code, body := c.api("PUT", "/api/v1/connections/src/configure-two", partialDoc)
		wantField(t, "PUT configure-two", code, body, "configureTwo")
	})
	t.Run("edit form refuses it on a source", func(t *testing.T) {
		code, body := c.form("/connections/src", url.Values{"configureTwo": {partialDoc}})
		if code != 400 || !strings.Contains(body, "relying part") {
			t.Fatalf("POST form on a source: %d\n%s", code, body)
		}
		if cn, _, _ := e.app.Store.GetConnection(t.Context(), "src"); cn.ConfigureTwo != "" {
			t.Fatalf("a source got configureTwo %q", cn.ConfigureTwo)
		}
	})
}
