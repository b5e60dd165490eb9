package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// API tokens have a scope and an expiry, enforced in the guard: read may
// only GET, run may also start and cancel runs, admin may do everything;
// an expired token is refused with 401.
func TestTokenScopeAndExpiry(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	tokens := map[string]string{}
	for _, scope := range []string{"read", "run", "admin"} {
		code, body := c.api("POST", "/api/v1/tokens", `{"name":"`+scope+`","scope":"`+scope+`"}`)
		var got struct {
			Token     string    `json:"token"`
			Scope     string    `json:"scope"`
			ExpiresAt time.Time `json:"expiresAt"`
		}
		_ = json.Unmarshal([]byte(body), &got)
		if code != 201 || got.Scope != scope || got.ExpiresAt.Sub(time.Now().Add(DefaultTokenTTL)).Abs() > time.Minute {
			t.Fatalf("create %s token: %d %s, want scope %s expiring in 90 days", scope, code, body, scope)
		}
		tokens[scope] = got.Token
	}
	// A token without a scope can only read.
	if _, body := c.api("POST", "/api/v1/tokens", `{"name":"plain"}`); !strings.Contains(body, `"scope": "read"`) {
		t.Fatalf("default scope: %s", body)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"name":"x","scope":"root"}`, "scope"},
		{`{"name":"x","expiresInDays":-1}`, "expiresInDays"},
		{`{"name":"x","expiresInDays":100000}`, "expiresInDays"},
	} {
		if code, body := c.api("POST", "/api/v1/tokens", bad.body); code != 400 || !strings.Contains(body, `"field": "`+bad.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", bad.body, code, body, bad.field)
		}
	}
	if code, body := c.api("POST", "/api/v1/tokens", `{"name":"short","expiresInDays":1}`); code != 201 || !strings.Contains(body, time.Now().Add(24*time.Hour).UTC().Format("2006-01-02T15")) {
		t.Errorf("one-day token: %d %s", code, body)
	}

	cases := []struct {
		method, path, body string
		// want is the status for read, run and admin tokens.
		want [3]int
	}{
		{"GET", "/api/v1/connections", "", [3]int{200, 200, 200}},
		{"PUT", "/api/v1/connections/x", `{"dnsName":"h","searchPath":"dc=x"}`, [3]int{403, 403, 201}},
		{"POST", "/api/v1/runs", `{"connection":"nope"}`, [3]int{403, 404, 404}},
		{"POST", "/api/v1/runs/999/cancel", ``, [3]int{403, 404, 404}},
		{"POST", "/api/v1/tokens", `{"name":"minted","scope":"admin"}`, [3]int{403, 403, 201}},
		{"POST", "/api/v1/connections/nope/schedule/run", "", [3]int{403, 400, 400}},
		{"POST", "/api/v1/connections/nope/schedule/pause", "", [3]int{403, 403, 400}},
		{"DELETE", "/api/v1/connections/x", "", [3]int{403, 403, 204}},
	}
	anon := e.anonymous()
	for _, tc := range cases {
		for i, scope := range []string{"read", "run", "admin"} {
			code, body := anon.call(tc.method, tc.path, "application/json", tc.body, map[string]string{"Authorization": "Bearer " + tokens[scope]})
			if code != tc.want[i] {
				t.Errorf("%s token: %s %s = %d %s, want %d", scope, tc.method, tc.path, code, body, tc.want[i])
			}
			if code == 403 && !strings.Contains(body, `"field": "scope"`) {
				t.Errorf("%s token: refusal does not name the scope: %s", scope, body)
			}
		}
	}

	expired := "ust_expired-token-value"
	if _, err := e.web.st.CreateAPIToken(t.Context(), store.APIToken{Name: "old", Hash: hashToken(expired), CreatedBy: "test",
		Scope: store.TokenScopeAdmin, ExpiresAt: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if code, body := anon.call("GET", "/api/v1/connections", "", "", map[string]string{"Authorization": "Bearer " + expired}); code != http.StatusUnauthorized {
		t.Fatalf("expired token: %d %s, want 401", code, body)
	}
}
