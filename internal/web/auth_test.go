package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// samplePath fills a route's wildcards with plausible values.
func samplePath(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	p = strings.ReplaceAll(p, "{name}", "demo")
	return strings.ReplaceAll(p, "{id}", "1")
}

// TestEveryRouteNeedsASession walks the route table: without a session an
// API call is 401 and a page redirects to /login.
func TestEveryRouteNeedsASession(t *testing.T) {
	e := newTestEnv(t)
	anon := e.anonymous()
	for _, rt := range e.web.routes {
		if rt.access == public {
			continue
		}
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			resp := anon.do(rt.method, samplePath(rt.path), "application/json", "{}", nil)
			resp.Body.Close()
			switch rt.access {
			case api:
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", resp.StatusCode)
				}
			case page:
				loc := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
					t.Fatalf("status %d to %q, want a redirect to /login", resp.StatusCode, loc)
				}
			}
		})
	}
	// A wrong bearer token is refused too.
	code, _ := anon.call("GET", "/api/v1/connections", "", "", map[string]string{"Authorization": "Bearer nope"})
	if code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", code)
	}
}

// TestOnlyLoginAndAssetsArePublic keeps the public list short on purpose.
func TestOnlyLoginAndAssetsArePublic(t *testing.T) {
	e := newTestEnv(t)
	for _, rt := range e.web.routes {
		if rt.access == public && rt.path != "/login" {
			t.Errorf("%s %s is public", rt.method, rt.path)
		}
	}
}

// TestStateChangesNeedTheCSRFToken posts every non-GET route with a valid
// session but without the token: 403 every time.
func TestStateChangesNeedTheCSRFToken(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	for _, rt := range e.web.routes {
		if rt.access == public || rt.method == "GET" {
			continue
		}
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			code, _ := c.call(rt.method, samplePath(rt.path), "application/x-www-form-urlencoded", "friendlyName=x", nil)
			if code != http.StatusForbidden {
				t.Fatalf("without token: %d, want 403", code)
			}
			code, _ = c.call(rt.method, samplePath(rt.path), "application/x-www-form-urlencoded", "csrf=wrong", nil)
			if code != http.StatusForbidden {
				t.Fatalf("wrong token: %d, want 403", code)
			}
		})
	}
	// The right token from another site is refused as well.
	code, _ := c.call("POST", "/logout", "application/x-www-form-urlencoded", url.Values{csrfField: {c.csrf}}.Encode(),
		map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if code != http.StatusForbidden {
		t.Fatalf("cross-site with token: %d", code)
	}
	// The login form has its own token.
	anon := e.anonymous()
	code, _ = anon.call("POST", "/login", "application/x-www-form-urlencoded", url.Values{"username": {AdminName}, "password": {testAdminPassword}}.Encode(), nil)
	if code != http.StatusForbidden {
		t.Fatalf("login without token: %d", code)
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newTestEnv(t)
	c := e.anonymous()
	tok := loginCSRFRE.FindStringSubmatch(c.get("/login", http.StatusOK))[1]
	try := func(pw string) *http.Response {
		resp := c.do("POST", "/login", "application/x-www-form-urlencoded", url.Values{"username": {AdminName}, "password": {pw}, "csrf": {tok}}.Encode(), nil)
		resp.Body.Close()
		return resp
	}
	for i := range 5 {
		if resp := try("wrong"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	resp := try(testAdminPassword)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: %d, want 429", resp.StatusCode)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
}

func TestSessionCookieAndLogout(t *testing.T) {
	e := newTestEnv(t)
	c := e.anonymous()
	tok := loginCSRFRE.FindStringSubmatch(c.get("/login", http.StatusOK))[1]
	resp := c.do("POST", "/login", "application/x-www-form-urlencoded", url.Values{"username": {AdminName}, "password": {testAdminPassword}, "csrf": {tok}}.Encode(), nil)
	resp.Body.Close()
	var sc *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || len(sc.Value) < 43 {
		t.Fatalf("session cookie %+v", sc)
	}
	lc := e.login()
	if code, _ := lc.form("/logout", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if code, _ := lc.call("GET", "/api/v1/connections", "", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", code)
	}
}

func TestBearerToken(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	code, body := c.api("POST", "/api/v1/tokens", `{"name":"ci","scope":"admin"}`)
	if code != http.StatusCreated {
		t.Fatalf("create token: %d %s", code, body)
	}
	tok := regexp1(`"token": "([^"]+)"`, body)
	anon := e.anonymous()
	hdr := map[string]string{"Authorization": "Bearer " + tok}
	if code, body := anon.call("PUT", "/api/v1/connections/x", "application/json", `{"dnsName":"h","searchPath":"dc=x"}`, hdr); code != http.StatusCreated {
		t.Fatalf("token write without CSRF: %d %s", code, body)
	}
	_, list := c.api("GET", "/api/v1/tokens", "")
	if strings.Contains(list, tok) {
		t.Fatal("token list shows the token")
	}
}
