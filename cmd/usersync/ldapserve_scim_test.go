package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/web"
)

// Acceptance 1 for a view fed by SCIM: users and a group pushed to the SCIM
// endpoint, as Entra ID's provisioning service would, are read back over
// LDAPS with paging and over StartTLS by OpenLDAP's ldapsearch: the cloud
// LDAP bridge of the Entra → SCIM → LDAP chain.
func TestLDAPInterfaceServesSCIMUsers(t *testing.T) {
	c := newCLI(t)
	c.apply(map[string]any{"name": "entra", "systemType": "scim"})
	if out, code := c.run("group", "add", "Sales"); code != 0 {
		t.Fatalf("group add: %d %s", code, out)
	}
	out, code := c.run("scim", "token", "create", "entra-prod", "--connection", "entra")
	if code != 0 {
		t.Fatalf("scim token create: %d %s", code, out)
	}
	tok := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])

	a := apptest.Open(t, c.db, nil)
	w, err := web.New(context.Background(), a, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	post := func(path string, body any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+"/scim/v2/entra/"+path, strings.NewReader(string(raw)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&got)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, got)
		}
		return got
	}
	var ids []any
	for i := 1; i <= 12; i++ {
		u := post("Users", map[string]any{
			"schemas":      []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName":     fmt.Sprintf("scim.user%02d@contoso.test", i),
			"displayName":  fmt.Sprintf("Scim User %02d", i),
			"name":         map[string]any{"givenName": "Scim", "familyName": fmt.Sprintf("User %02d", i)},
			"emails":       []map[string]any{{"value": fmt.Sprintf("Scim.User%02d@contoso.test", i), "type": "work", "primary": true}},
			"phoneNumbers": []map[string]any{{"value": fmt.Sprintf("+39 02 %04d", i), "type": "work"}},
			"active":       true,
		})
		ids = append(ids, u["id"])
	}
	post("Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Sales",
		"members": []map[string]any{{"value": ids[0]}, {"value": ids[1]}}})
	srv.Close()

	s := publish(t, c, map[string]any{"name": "cloud", "baseDN": "ou=people,o=imagicle,dc=imagicle", "connections": []string{"entra"}})
	auth := []string{"-x", "-D", s.bindDN, "-w", s.pw}
	out, err = s.ldapsearch(t, append(auth, "-H", "ldaps://"+s.ldaps, "-b", "ou=people,o=imagicle,dc=imagicle", "-E", "pr=5/noprompt",
		"(objectClass=inetOrgPerson)", "uid", "mail", "telephoneNumber", "memberOf")...)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if n := countDNs(out, "uid=scim.user"); n != 12 {
		t.Errorf("%d SCIM users over LDAPS, want 12:\n%s", n, out)
	}
	for _, want := range []string{"mail: Scim.User07@contoso.test", "telephoneNumber: +39 02 0007", "memberOf: cn=Sales,ou=groups,ou=people,o=imagicle,dc=imagicle"} {
		if !strings.Contains(out, want) {
			t.Errorf("LDAPS output lacks %q:\n%s", want, out)
		}
	}
	out, err = s.ldapsearch(t, append(auth, "-ZZ", "-H", "ldap://"+s.plain, "-b", "ou=people,o=imagicle,dc=imagicle", "-E", "pr=5/noprompt",
		"(&(objectClass=groupOfNames)(cn=Sales))", "member")...)
	if err != nil || strings.Count(out, "member: uid=scim.user0") != 2 {
		t.Errorf("group Sales over StartTLS: %v\n%s", err, out)
	}
}
