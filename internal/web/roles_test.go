package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// loginAs logs in through the login form as name.
func (e *testEnv) loginAs(name, password string) *client {
	e.t.Helper()
	c := e.anonymous()
	body := c.get("/login", http.StatusOK)
	m := loginCSRFRE.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("login page has no CSRF field:\n%s", body)
	}
	resp := c.do("POST", "/login", "application/x-www-form-urlencoded",
		url.Values{"username": {name}, "password": {password}, "csrf": {m[1]}}.Encode(), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login as %s: %d", name, resp.StatusCode)
	}
	page := c.get("/", http.StatusOK)
	m = csrfRE.FindStringSubmatch(page)
	if m == nil {
		e.t.Fatal("no CSRF token on the dashboard")
	}
	c.csrf = m[1]
	return c
}

const operatorPassword = "0perator-Test-Passw0rd"

// withOperator adds an operator through the API as the first admin and
// logs them in.
func withOperator(t *testing.T, e *testEnv, admin *client) *client {
	t.Helper()
	code, body := admin.api("POST", "/api/v1/admins", `{"name":"olga","role":"operator","password":"`+operatorPassword+`"}`)
	if code != http.StatusCreated || strings.Contains(body, "assword") {
		t.Fatalf("create operator: %d %s", code, body)
	}
	return e.loginAs("olga", operatorPassword)
}

// concrete fills a route pattern's wildcards.
func concrete(path string) string {
	return strings.NewReplacer("{name}", "corp", "{id}", "1", "{$}", "").Replace(path)
}

// TestOperatorIsRefusedEveryChange: "the operator role is refused every
// change, in the UI and in the API". Every changing route of the router
// (and so every one the OpenAPI document lists) is walked as an operator:
// those outside what an operator may do answer 403 with a message naming
// the role, the others are not refused.
func TestOperatorIsRefusedEveryChange(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login()
	op := withOperator(t, e, admin)
	refused, allowed := 0, 0
	for _, rt := range e.web.routes {
		if safeMethod(rt.method) || rt.access == public {
			continue
		}
		key := rt.method + " " + rt.path
		if key == "POST /logout" {
			continue // it would end the walk; it is allowed below
		}
		path := concrete(rt.path)
		var code int
		var body string
		if rt.access == api {
			code, body = op.api(rt.method, path, `{}`)
		} else {
			code, body = op.form(path, url.Values{"name": {"x"}, "action": {"pause"}})
		}
		if operatorRoutes[key] {
			allowed++
			if code == http.StatusForbidden {
				t.Errorf("%s: an operator may do this, got 403 %s", key, body)
			}
			continue
		}
		refused++
		if code != http.StatusForbidden || !strings.Contains(body, "operator") || !strings.Contains(body, "admin role") {
			t.Errorf("%s as operator: %d %.200s; want 403 naming the role", key, code, body)
		}
	}
	if refused < 30 || allowed < 10 {
		t.Fatalf("walked %d refused and %d allowed routes: the route table was not walked", refused, allowed)
	}
	// The operator's session was not ended by any of it, and reads work.
	op.get("/connections", http.StatusOK)
	if code, _ := op.api("GET", "/api/v1/audit", ""); code != http.StatusOK {
		t.Fatalf("operator reading the audit log: %d", code)
	}
	if code, _ := op.form("/logout", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("operator logging out: %d", code)
	}
	// The admin still may.
	if code, body := admin.api("POST", "/api/v1/permission-sets", `{"name":"Sales"}`); code != http.StatusCreated {
		t.Fatalf("admin creating an entity: %d %s", code, body)
	}
}

// TestOperatorRoutesExist: every route the operator may call exists, so a
// renamed route cannot leave a stale permission behind.
func TestOperatorRoutesExist(t *testing.T) {
	e := newTestEnv(t)
	served := map[string]bool{}
	for _, rt := range e.web.routes {
		served[rt.method+" "+rt.path] = true
	}
	for k := range operatorRoutes {
		if !served[k] {
			t.Errorf("operatorRoutes names %s, which no route serves", k)
		}
	}
}

// TestTokenCarriesCreatorsRole: a token works with its creator's role, as
// it is now: an admin's token stops changing things once its creator is an
// operator, and stops working once its creator is disabled.
func TestTokenCarriesCreatorsRole(t *testing.T) {
	e := newTestEnv(t)
	root := e.login()
	if code, body := root.api("POST", "/api/v1/admins", `{"name":"ada","role":"admin","password":"`+operatorPassword+`"}`); code != http.StatusCreated {
		t.Fatalf("create ada: %d %s", code, body)
	}
	ada := e.loginAs("ada", operatorPassword)
	code, body := ada.api("POST", "/api/v1/tokens", `{"name":"ada-ci","scope":"admin"}`)
	if code != http.StatusCreated {
		t.Fatalf("token: %d %s", code, body)
	}
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(body), &tok)
	bearer := func(method, path, body string) (int, string) {
		return e.anonymous().call(method, path, "application/json", body, map[string]string{"Authorization": "Bearer " + tok.Token})
	}
	if code, body := bearer("POST", "/api/v1/groups", `{"name":"g1"}`); code != http.StatusCreated {
		t.Fatalf("admin's token: %d %s", code, body)
	}
	if code, body := root.api("PUT", "/api/v1/admins/ada", `{"role":"operator"}`); code != http.StatusOK {
		t.Fatalf("demote ada: %d %s", code, body)
	}
	if code, body := bearer("POST", "/api/v1/groups", `{"name":"g2"}`); code != http.StatusForbidden || !strings.Contains(body, "operator") {
		t.Fatalf("demoted creator's token changing something: %d %s; want 403 naming the role", code, body)
	}
	if code, _ := bearer("GET", "/api/v1/groups", ""); code != http.StatusOK {
		t.Fatalf("demoted creator's token reading: %d", code)
	}
	if code, body := root.api("PUT", "/api/v1/admins/ada", `{"role":"operator","disabled":true}`); code != http.StatusOK {
		t.Fatalf("disable ada: %d %s", code, body)
	}
	if code, _ := bearer("GET", "/api/v1/groups", ""); code != http.StatusUnauthorized {
		t.Fatalf("disabled creator's token: %d, want 401", code)
	}
	// Her session ended when she was disabled, and she cannot log in.
	if code, _ := ada.call("GET", "/api/v1/groups", "", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("disabled admin's session: %d, want 401", code)
	}
}

// TestLastAdminCannotBeLockedOut: "never lock out the last admin".
func TestLastAdminCannotBeLockedOut(t *testing.T) {
	e := newTestEnv(t)
	root := e.login()
	for _, body := range []string{`{"role":"operator"}`, `{"role":"admin","disabled":true}`} {
		code, resp := root.api("PUT", "/api/v1/admins/"+AdminName, body)
		if code != http.StatusConflict || !strings.Contains(resp, "last enabled administrator") {
			t.Errorf("PUT %s on the only admin: %d %s; want 409", body, code, resp)
		}
	}
	// Nasty input: unknown role, unknown name, duplicate name, weak password,
	// all reported with their field.
	for _, tc := range []struct{ method, path, body, field string }{
		{"PUT", "/api/v1/admins/" + AdminName, `{"role":"root"}`, "role"},
		{"PUT", "/api/v1/admins/nobody", `{"role":"admin"}`, ""},
		{"POST", "/api/v1/admins", `{"name":"admin","role":"operator","password":"` + operatorPassword + `"}`, "name"},
		{"POST", "/api/v1/admins", `{"name":"","role":"boss","password":"x"}`, "name"},
		{"POST", "/api/v1/admins", `{"name":"eve","password":"short"}`, "password"},
	} {
		code, resp := root.api(tc.method, tc.path, tc.body)
		var ae apiError
		_ = json.Unmarshal([]byte(resp), &ae)
		if code < 400 || code >= 500 || ae.Field != tc.field {
			t.Errorf("%s %s %s = %d %s; want a 4xx naming %q", tc.method, tc.path, tc.body, code, resp, tc.field)
		}
	}
	// The failed "boss" request reported every problem at once.
	_, resp := root.api("POST", "/api/v1/admins", `{"name":"","role":"boss","password":"x"}`)
	for _, f := range []string{"name:", "role:", "password:"} {
		if !strings.Contains(resp, f) {
			t.Errorf("all problems at once: %s lacks %q", resp, f)
		}
	}
}
