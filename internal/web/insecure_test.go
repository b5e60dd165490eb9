package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// A connection that sends its password over plain LDAP, or does not verify
// certificates, is flagged on every path: API responses carry warnings, the
// connections list and the edit page show them, and each run records them.
// An operator who forbids insecure settings gets a refusal naming the field.
func TestInsecureSettingsWarnEverywhere(t *testing.T) {
	dir := slapd.Start(t, 2, 0)
	e := newTestEnv(t)
	c := e.login()

	type warned struct {
		Warnings []struct{ Field, Message string } `json:"warnings"`
	}
	fields := func(body string) string {
		var w warned
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		var out []string
		for _, p := range w.Warnings {
			out = append(out, p.Field)
		}
		return strings.Join(out, ",")
	}
	code, body := c.api("PUT", "/api/v1/connections/dir", connDoc("dir", "127.0.0.1", dir.Port, "none", true, slapd.AdminPassword))
	if code != 201 || fields(body) != "security,tlsSkipVerify" {
		t.Fatalf("PUT: %d, warnings %q, want security,tlsSkipVerify\n%s", code, fields(body), body)
	}
	if _, body := c.api("GET", "/api/v1/connections/dir", ""); fields(body) != "security,tlsSkipVerify" {
		t.Fatalf("GET: warnings %q\n%s", fields(body), body)
	}
	if _, body := c.api("GET", "/api/v1/connections", ""); !strings.Contains(body, `"field": "security"`) {
		t.Fatalf("list carries no warning:\n%s", body)
	}
	for _, page := range []string{"/connections", "/connections/dir"} {
		if html := c.get(page, 200); !strings.Contains(html, `class="danger-text insecure-warning"`) || !strings.Contains(html, "crosses the network in clear") {
			t.Errorf("%s shows no insecure warning", page)
		}
	}
	rep, err := e.app.Sync(context.Background(), "dir", app.SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.app.Store.GetRun(context.Background(), rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(run.Warnings, "\n"); !strings.Contains(w, "insecure connection: security") || !strings.Contains(w, "insecure connection: tlsSkipVerify") {
		t.Fatalf("run warnings %q lack the insecure settings", run.Warnings)
	}

	// A secure connection has no warnings.
	if _, body := c.api("PUT", "/api/v1/connections/tls", connDoc("tls", "127.0.0.1", dir.TLSPort, "ldaps", false, slapd.AdminPassword)); fields(body) != "" {
		t.Fatalf("ldaps connection warned: %s", body)
	}

	e.app.ForbidInsecure = true
	code, body = c.api("PUT", "/api/v1/connections/dir", connDoc("dir", "127.0.0.1", dir.Port, "none", false, slapd.AdminPassword))
	if code != 400 || !strings.Contains(body, `"field": "security"`) || !strings.Contains(body, "forbidden") {
		t.Fatalf("forbidden PUT: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/connections/dir/check", ""); code != 400 || !strings.Contains(body, "forbidden") {
		t.Fatalf("forbidden check: %d %s", code, body)
	}
	if _, err := e.app.Sync(context.Background(), "dir", app.SyncOptions{}); err == nil || !strings.Contains(err.Error(), "tlsSkipVerify") {
		t.Fatalf("forbidden run: %v", err)
	}
}
