package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
)

// disabledDN finds the sample directory's one disabled person.
func disabledDN(t *testing.T, e *testEnv, conn string) string {
	t.Helper()
	d, err := e.app.OpenDirectory(t.Context(), conn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dn := ""
	err = d.LDAP.Search(t.Context(), directory.Query{BaseDN: d.Conn.SearchPath, Filter: "(userAccountControl=514)", Attributes: []string{"cn"}, PageSize: 10},
		func(en *directory.Entry) error { dn = en.DN; return nil })
	if err != nil || dn == "" {
		t.Fatalf("no disabled person: %v", err)
	}
	return dn
}

func TestDirectoryUsersAPI(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	c := e.login()

	search := func(q string) directoryUsersView {
		t.Helper()
		code, body := c.api("GET", "/api/v1/connections/demo/directory-users?q="+url.QueryEscape(q), "")
		var v directoryUsersView
		if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil {
			t.Fatalf("search %q: %d %v %s", q, code, err, body)
		}
		return v
	}
	v := search("zoe.weber")
	if len(v.Users) != 1 || v.More || v.Users[0].UserID != "zoe.weber@contoso.test" || v.Users[0].Name != "Zoe Weber" || !strings.HasPrefix(v.Users[0].DN, "CN=Zoe Weber,") {
		t.Fatalf("search zoe.weber: %+v", v)
	}
	if v := search("a"); len(v.Users) != app.MaxDirectoryUsers || !v.More {
		t.Fatalf("search a: %d users, more %v", len(v.Users), v.More)
	}
	// Filter syntax in the text is a value to look for: no error, nobody.
	if v := search(`*()\`); len(v.Users) != 0 {
		t.Fatalf("search *()\\: %+v", v)
	}
	if code, body := c.api("GET", "/api/v1/connections/demo/directory-users", ""); code != 400 || !strings.Contains(body, `"field": "q"`) {
		t.Fatalf("no q: %d %s", code, body)
	}

	add := func(dn string, dry bool) addUserView {
		t.Helper()
		req, _ := json.Marshal(addUserRequest{DN: dn, DryRun: dry})
		code, body := c.api("POST", "/api/v1/connections/demo/directory-users/add", string(req))
		var v addUserView
		if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil {
			t.Fatalf("add %s: %d %v %s", dn, code, err, body)
		}
		return v
	}
	dn := v.Users[0].DN
	// The plan holds the creation and, as in a full run, the group rules'
	// memberships (Zoe is in Administrator, read from memberOf).
	if r := add(dn, true); r.Created != 1 || !r.DryRun || r.ID != 0 || len(r.Plan) == 0 || r.Plan[0].Action != "created" {
		t.Fatalf("plan: %+v", r.Report)
	}
	if _, body := c.api("GET", "/api/v1/users", ""); strings.Contains(body, "zoe.weber") {
		t.Fatalf("the plan wrote a user: %s", body)
	}
	r := add(dn, false)
	if r.Created != 1 || r.ID == 0 || r.Trigger != "manual" || r.Mode != "incremental" || r.Status != "succeeded" {
		t.Fatalf("add: %+v", r.Report)
	}
	if _, body := c.api("GET", "/api/v1/users?search=zoe.weber", ""); !strings.Contains(body, "zoe.weber@contoso.test") {
		t.Fatalf("added user not listed: %s", body)
	}
	if r := add(dn, false); r.Unchanged != 1 || r.Created != 0 {
		t.Fatalf("add again: %+v", r.Report)
	}
	// A disabled account is refused, with the reason.
	if r := add(disabledDN(t, e, "demo"), false); r.Skipped != 1 || len(r.Reasons) != 1 || !strings.Contains(r.Reasons[0], "disabled") {
		t.Fatalf("disabled: %+v %v", r.Report, r.Reasons)
	}
	for _, bad := range []string{"CN=Nobody,OU=Elsewhere,DC=example,DC=org", "not a dn", "CN=Nobody Here," + strings.SplitN(dn, ",", 2)[1]} {
		req, _ := json.Marshal(addUserRequest{DN: bad})
		if code, body := c.api("POST", "/api/v1/connections/demo/directory-users/add", string(req)); code != 400 {
			t.Fatalf("add %q: %d %s", bad, code, body)
		}
	}
	if code, _ := c.api("GET", "/api/v1/connections/nope/directory-users?q=a", ""); code != 400 && code != 404 {
		t.Fatalf("unknown connection: %d", code)
	}
}
