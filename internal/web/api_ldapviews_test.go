package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// "Published views (configured like a connection: ... the API with OpenAPI
// entries, and a simple UI page)"; service accounts "created in the CLI,
// API and UI; password hashed": bad input names its field and changes
// nothing, and no password or hash is ever returned.
func TestLDAPViewsAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	code, body := c.api("PUT", "/api/v1/ldap-views/people", `{"baseDN":"not a dn","connections":["nosuch",""]}`)
	if code != http.StatusBadRequest {
		t.Fatalf("bad view: %d %s", code, body)
	}
	for _, want := range []string{"baseDN", "connections[0]: no connection is named", "connections[1]: is empty"} {
		if !strings.Contains(body, want) {
			t.Errorf("bad view's error lacks %q: %s", want, body)
		}
	}
	if code, body := c.api("GET", "/api/v1/ldap-views", ""); code != http.StatusOK || strings.TrimSpace(body) != "[]" {
		t.Fatalf("a refused view was saved: %d %s", code, body)
	}
	if code, body := c.api("PUT", "/api/v1/ldap-views/people", `{"name":"other","baseDN":"ou=people,o=example","connections":["*"]}`); code != http.StatusBadRequest || !strings.Contains(body, "name") {
		t.Errorf("name differing from the path: %d %s", code, body)
	}
	code, body = c.api("PUT", "/api/v1/ldap-views/people", `{"baseDN":"ou=people,o=example","connections":["*"]}`)
	if code != http.StatusCreated || !strings.Contains(body, `"facsimileTelephoneNumber": "fax"`) {
		t.Fatalf("create view: %d %s", code, body)
	}
	if code, _ := c.api("PUT", "/api/v1/ldap-views/people", `{"baseDN":"ou=people,o=example","connections":["*"],"includeInactive":true}`); code != http.StatusOK {
		t.Errorf("replace view: %d", code)
	}
	if code, body := c.api("PUT", "/api/v1/ldap-views/people/accounts/phone", `{"password":"short"}`); code != http.StatusBadRequest || !strings.Contains(body, "password") {
		t.Errorf("weak password: %d %s", code, body)
	}
	const pw = "Phone-Directory-Reader-9"
	code, body = c.api("PUT", "/api/v1/ldap-views/people/accounts/phone", `{"password":"`+pw+`"}`)
	if code != http.StatusOK || !strings.Contains(body, `"bindDN": "cn=phone,ou=people,o=example"`) {
		t.Fatalf("create account: %d %s", code, body)
	}
	code, body = c.api("GET", "/api/v1/ldap-views/people/accounts", "")
	if code != http.StatusOK || !strings.Contains(body, "cn=phone,ou=people,o=example") || strings.Contains(body, pw) || strings.Contains(body, "argon2") {
		t.Errorf("list accounts: %d %s", code, body)
	}
	page := c.get("/ldap-views", http.StatusOK)
	if !strings.Contains(page, "ou=people,o=example") || !strings.Contains(page, "cn=phone,ou=people,o=example") || strings.Contains(page, "argon2") {
		t.Errorf("LDAP views page lacks the view or its account:\n%s", page)
	}
	if code, body := c.form("/ldap-views/people/accounts", url.Values{"account": {"desk"}, "password": {"password"}}); code != http.StatusBadRequest || !strings.Contains(body, "password") {
		t.Errorf("UI form with a common password: %d", code)
	}
	if code, _ := c.form("/ldap-views/people/accounts", url.Values{"account": {"desk"}, "password": {"Desk-Phone-Reader-77"}}); code != http.StatusSeeOther {
		t.Errorf("UI form: %d, want a redirect", code)
	}
	if page := c.get("/ldap-views", http.StatusOK); !strings.Contains(page, "cn=desk,ou=people,o=example") || strings.Contains(page, "Desk-Phone-Reader-77") {
		t.Errorf("the account made in the UI is not listed, or its password shows")
	}
	if code, _ := c.api("DELETE", "/api/v1/ldap-views/people", ""); code != http.StatusNoContent {
		t.Errorf("delete view: %d", code)
	}
	if code, _ := c.api("GET", "/api/v1/ldap-views/people/accounts", ""); code != http.StatusNotFound {
		t.Errorf("accounts of a deleted view: %d, want 404", code)
	}
}
