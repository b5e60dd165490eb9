package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/testdir/entratest"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// The API and the Users page explain an Entra user, and search and add
// one from the tenant, as they do for LDAP users: the directory user's DN
// is its object id.
func TestEntraExplainAndAddThroughAPI(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	ann, err := g.PutUser(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	raw, _ := json.Marshal(entratest.Doc(g))
	if _, _, err := e.app.ApplyConnection(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	c := e.login()

	explain := func(who string) app.Explanation {
		t.Helper()
		code, body := c.api("GET", "/api/v1/users/explain?connection=entra&user="+url.QueryEscape(who), "")
		var exs []app.Explanation
		if err := json.Unmarshal([]byte(body), &exs); code != 200 || err != nil || len(exs) != 1 {
			t.Fatalf("explain %s: %d %v %s", who, code, err, body)
		}
		return exs[0]
	}
	if ex := explain("ann@contoso.test"); ex.Verdict != app.VerdictPending || ex.DN != ann {
		t.Fatalf("before any run: %+v", ex)
	}
	code, body := c.api("GET", "/api/v1/connections/entra/directory-users?q=ann", "")
	var found directoryUsersView
	if err := json.Unmarshal([]byte(body), &found); code != 200 || err != nil || len(found.Users) != 1 || found.Users[0].DN != ann {
		t.Fatalf("search ann: %d %v %s", code, err, body)
	}
	req, _ := json.Marshal(addUserRequest{DN: ann})
	code, body = c.api("POST", "/api/v1/connections/entra/directory-users/add", string(req))
	var added addUserView
	if err := json.Unmarshal([]byte(body), &added); code != 200 || err != nil || added.Created != 1 {
		t.Fatalf("add ann: %d %v %s", code, err, body)
	}
	if ex := explain("ann@contoso.test"); ex.Verdict != app.VerdictSynced || ex.User == nil {
		t.Fatalf("after the add: %+v", ex)
	}
	if ex := explain("nobody@contoso.test"); ex.Verdict != app.VerdictNotInDirectory {
		t.Fatalf("nobody: %+v", ex)
	}
	page := c.get("/users?explain="+url.QueryEscape("ann@contoso.test"), 200)
	if !strings.Contains(page, `class="explanation"`) || !strings.Contains(page, "synced") {
		t.Fatalf("explain box:\n%s", page)
	}
}
