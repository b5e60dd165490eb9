package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/usersync/usersync/internal/store"
)

// refusedPasswords are new passwords the one policy refuses on every path:
// fewer than 12 or more than 256 characters, or a common password.
var refusedPasswords = []struct{ name, pw, want string }{
	{"eleven characters", "abcdefgh-10", "shorter than 12"},
	{"eleven two-byte characters", strings.Repeat("é", 11), "shorter than 12"},
	{"257 characters", strings.Repeat("x", 257), "longer than 256"},
	{"common password", "Password1234", "too common"},
}

func apiErrorOf(t *testing.T, body string) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e
}

// TestLocalUserPasswordPolicyAPI: the API creates local users and sets their
// passwords under the one policy and with the argon2id hash, and refuses a
// bad password naming the field, without creating or changing anything.
func TestLocalUserPasswordPolicyAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	for _, tc := range refusedPasswords {
		body, _ := json.Marshal(map[string]string{"userId": "ops@example.com", "password": tc.pw})
		code, resp := c.api("POST", "/api/v1/local-users", string(body))
		if ae := apiErrorOf(t, resp); code != 400 || ae.Field != "password" || !strings.Contains(ae.Message, tc.want) {
			t.Fatalf("create with %s: %d %s", tc.name, code, resp)
		}
	}
	if users, _ := e.app.ListLocalUsers(t.Context()); len(users) != 0 {
		t.Fatalf("refused creations left users: %+v", users)
	}
	const first = "Local-User-Secret-77"
	code, resp := c.api("POST", "/api/v1/local-users", `{"userId":"ops@example.com","password":"`+first+`"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, resp)
	}
	id := regexp1(`"id": (\d+)`, resp)
	u, err := e.app.Store.FindUsers(t.Context(), "ops@example.com")
	if err != nil || len(u) != 1 || !strings.HasPrefix(u[0].PasswordHash, "$argon2id$") {
		t.Fatalf("stored user: %+v %v", u, err)
	}
	for _, tc := range refusedPasswords {
		body, _ := json.Marshal(map[string]string{"newPassword": tc.pw})
		code, resp := c.api("POST", "/api/v1/local-users/"+id+"/password", string(body))
		if ae := apiErrorOf(t, resp); code != 400 || ae.Field != "newPassword" || !strings.Contains(ae.Message, tc.want) {
			t.Fatalf("set password with %s: %d %s", tc.name, code, resp)
		}
	}
	if _, err := e.app.Authenticate(t.Context(), "ops@example.com", first); err != nil {
		t.Fatalf("the first password stopped working after refused changes: %v", err)
	}
	if code, resp := c.api("POST", "/api/v1/local-users/"+id+"/password", `{"newPassword":"Second-Secret-2026"}`); code != 204 {
		t.Fatalf("set password: %d %s", code, resp)
	}
	if _, err := e.app.Authenticate(t.Context(), "ops@example.com", "Second-Secret-2026"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, err := e.app.Authenticate(t.Context(), "ops@example.com", first); err == nil {
		t.Fatal("the old password still works")
	}
}

// TestBcryptLocalUserRehashed: a local user imported with a bcrypt hash
// (even of a password the policy would now refuse) still logs in, and the
// hash is replaced by argon2id at that login.
func TestBcryptLocalUserRehashed(t *testing.T) {
	e := newTestEnv(t)
	h, _ := bcrypt.GenerateFromPassword([]byte("old-short"), bcrypt.MinCost)
	ctx := t.Context()
	id, err := e.app.Store.CreateLocalUser(ctx, store.User{UserID: "legacy@example.com", Status: store.StatusActive, PasswordHash: string(h)})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := e.app.Authenticate(ctx, "legacy@example.com", "old-short"); err != nil {
			t.Fatalf("bcrypt user locked out: %v", err)
		}
		u, _ := e.app.Store.GetUser(ctx, id)
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Fatalf("hash after login: %q", u.PasswordHash)
		}
	}
}

// loginWith logs in as admin with pw and reports the status of the form post.
func (e *testEnv) loginWith(pw string) int {
	e.t.Helper()
	c := e.anonymous()
	m := loginCSRFRE.FindStringSubmatch(c.get("/login", http.StatusOK))
	resp := c.do("POST", "/login", "application/x-www-form-urlencoded",
		url.Values{"username": {AdminName}, "password": {pw}, "csrf": {m[1]}}.Encode(), nil)
	resp.Body.Close()
	return resp.StatusCode
}

// TestChangeOwnPasswordAPI: the administrator changes their own password
// through the API under the same policy; the change ends every other session
// of theirs and keeps this one; an API token cannot use it.
func TestChangeOwnPasswordAPI(t *testing.T) {
	e := newTestEnv(t)
	this, other := e.login(), e.login()
	const next = "Brand-New-Admin-Pass"
	for _, tc := range []struct{ name, body, field string }{
		{"wrong current password", `{"currentPassword":"wrong-wrong-wrong","newPassword":"` + next + `"}`, "currentPassword"},
		{"empty body", `{}`, "currentPassword"},
	} {
		code, resp := this.api("POST", "/api/v1/account/password", tc.body)
		if ae := apiErrorOf(t, resp); code != 400 || ae.Field != tc.field {
			t.Fatalf("%s: %d %s", tc.name, code, resp)
		}
	}
	for _, tc := range refusedPasswords {
		body, _ := json.Marshal(passwordInput{CurrentPassword: testAdminPassword, NewPassword: tc.pw})
		code, resp := this.api("POST", "/api/v1/account/password", string(body))
		if ae := apiErrorOf(t, resp); code != 400 || ae.Field != "newPassword" || !strings.Contains(ae.Message, tc.want) {
			t.Fatalf("%s: %d %s", tc.name, code, resp)
		}
	}
	if code, _ := other.api("GET", "/api/v1/connections", ""); code != 200 {
		t.Fatalf("refused changes logged the other session out: %d", code)
	}
	tok, _, err := CreateToken(t.Context(), e.web.st, TokenRequest{Name: "robot", Scope: "admin"}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	code, resp := e.anonymous().call("POST", "/api/v1/account/password", "application/json",
		`{"currentPassword":"`+testAdminPassword+`","newPassword":"`+next+`"}`, map[string]string{"Authorization": "Bearer " + tok})
	if code != 403 {
		t.Fatalf("token changed a password: %d %s", code, resp)
	}
	if code, resp := this.api("POST", "/api/v1/account/password", `{"currentPassword":"`+testAdminPassword+`","newPassword":"`+next+`"}`); code != 204 {
		t.Fatalf("change: %d %s", code, resp)
	}
	if code, _ := this.api("GET", "/api/v1/connections", ""); code != 200 {
		t.Fatalf("the session that changed the password was logged out: %d", code)
	}
	if code, _ := other.api("GET", "/api/v1/connections", ""); code != 401 {
		t.Fatalf("the other session survived the change: %d", code)
	}
	if got := e.loginWith(testAdminPassword); got != http.StatusUnauthorized {
		t.Fatalf("old password: %d", got)
	}
	if got := e.loginWith(next); got != http.StatusSeeOther {
		t.Fatalf("new password: %d", got)
	}
}

// TestChangeOwnPasswordPage: the same change through the UI form.
func TestChangeOwnPasswordPage(t *testing.T) {
	e := newTestEnv(t)
	this, other := e.login(), e.login()
	this.get("/account", http.StatusOK)
	code, body := this.form("/account/password", url.Values{"currentPassword": {testAdminPassword}, "newPassword": {"abcdefgh-10"}})
	if code != 400 || !strings.Contains(body, "shorter than 12") {
		t.Fatalf("short password: %d %s", code, body)
	}
	v := url.Values{"currentPassword": {testAdminPassword}, "newPassword": {"Brand-New-Admin-Pass"}, csrfField: {this.csrf}}
	resp := this.do("POST", "/account/password", "application/x-www-form-urlencoded", v.Encode(), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if !strings.Contains(this.get(resp.Header.Get("Location"), http.StatusOK), "Password changed") {
		t.Fatal("no confirmation")
	}
	if code, _ := other.call("GET", "/", "", "", nil); code != http.StatusSeeOther {
		t.Fatalf("the other session survived: %d", code)
	}
}

// TestBcryptAdminRehashed: an administrator stored with a bcrypt hash logs
// in, and the hash is replaced by argon2id.
func TestBcryptAdminRehashed(t *testing.T) {
	e := newTestEnv(t)
	h, _ := bcrypt.GenerateFromPassword([]byte(testAdminPassword), bcrypt.MinCost)
	type adminPasswordSetter interface {
		SetAdminPassword(ctx context.Context, name, hash string) error
	}
	if err := e.app.Store.(adminPasswordSetter).SetAdminPassword(t.Context(), AdminName, string(h)); err != nil {
		t.Fatal(err)
	}
	e.login()
	a, err := e.web.st.GetAdmin(t.Context(), AdminName)
	if err != nil || !strings.HasPrefix(a.PasswordHash, "$argon2id$") {
		t.Fatalf("admin hash after login: %q %v", a.PasswordHash, err)
	}
}
