package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// internalTexts are pieces of text written for a developer, not for the
// administrator: store and layer names, Go's bare 404, CLI commands, row
// numbers.
var internalTexts = []string{"sqlite:", "postgres:", "app:", ": conflict", ": not found", "404 page not found", "usersync runs", "(row "}

func assertForAdmin(t *testing.T, what, body string) {
	t.Helper()
	for _, bad := range internalTexts {
		if strings.Contains(body, bad) {
			t.Fatalf("%s shows internal text %q:\n%s", what, bad, body)
		}
	}
}

// TestMessagesWrittenForTheAdministrator: every message a page shows is
// written for the administrator, and error pages have the layout.
func TestMessagesWrittenForTheAdministrator(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "contoso", connection.DirectorySource)
	c := e.login()
	ctx := context.Background()

	t.Run("an entity that already exists", func(t *testing.T) {
		if code, _ := c.form("/entities", url.Values{"kind": {"site"}, "name": {"Berlin"}}); code != http.StatusSeeOther {
			t.Fatalf("first add: %d", code)
		}
		code, body := c.form("/entities", url.Values{"kind": {"site"}, "name": {"Berlin"}})
		if code != http.StatusConflict || !strings.Contains(body, "Site &#34;Berlin&#34; already exists.") {
			t.Fatalf("second add: %d\n%s", code, body)
		}
		assertForAdmin(t, "the entities page", body)
	})
	t.Run("a connection that does not exist", func(t *testing.T) {
		body := c.get("/connections/nope", http.StatusNotFound)
		if !strings.Contains(body, "Connection &#34;nope&#34; does not exist.") || !strings.Contains(body, `nav aria-label="Main"`) {
			t.Fatalf("the page:\n%s", body)
		}
		assertForAdmin(t, "the missing connection's page", body)
	})
	t.Run("a page that does not exist", func(t *testing.T) {
		body := c.get("/no/such/page", http.StatusNotFound)
		if !strings.Contains(body, "Page not found") || !strings.Contains(body, `nav aria-label="Main"`) {
			t.Fatalf("the page:\n%s", body)
		}
		assertForAdmin(t, "the 404 page", body)
		if code, body := c.call("GET", "/api/v1/no-such-thing", "", "", nil); code != http.StatusNotFound || !strings.Contains(body, `"not_found"`) {
			t.Fatalf("an API path that does not exist: %d %s", code, body)
		}
	})

	t.Run("a form without its CSRF token", func(t *testing.T) {
		code, body := c.call("POST", "/entities", "application/x-www-form-urlencoded", url.Values{"kind": {"site"}, "name": {"Rome"}}.Encode(), nil)
		if code != http.StatusForbidden || !strings.Contains(body, "nothing was changed") || !strings.Contains(body, `nav aria-label="Main"`) {
			t.Fatalf("the page: %d\n%s", code, body)
		}
	})

	if _, err := e.app.Sync(ctx, "contoso", app.SyncOptions{Trigger: store.TriggerManual}); err != nil {
		t.Fatal(err)
	}
	t.Run("explain", func(t *testing.T) {
		users, err := e.app.Store.ListUsers(ctx, store.UserQuery{Limit: 1})
		if err != nil || len(users) == 0 {
			t.Fatalf("no user: %v", err)
		}
		body := c.get("/users?explain="+url.QueryEscape(users[0].UserID), http.StatusOK)
		if !strings.Contains(body, "v-synced") {
			t.Fatalf("no explanation:\n%s", body)
		}
		assertForAdmin(t, "the explanation", body)
	})
	t.Run("a run held by the deletion guard, then rejected", func(t *testing.T) {
		conn, _, err := e.app.Store.GetConnection(ctx, "contoso")
		if err != nil {
			t.Fatal(err)
		}
		conn.SearchFilter = "(cn=A*)"
		if _, _, err := e.app.PutConnection(ctx, conn); err != nil {
			t.Fatal(err)
		}
		rep, _ := e.app.Sync(ctx, "contoso", app.SyncOptions{Trigger: store.TriggerManual})
		if rep == nil || rep.Status != store.RunAwaitingApproval {
			t.Fatalf("the run was not held: %+v", rep)
		}
		page := "/runs/" + strconv.FormatInt(rep.ID, 10)
		body := c.get(page, http.StatusOK)
		if !strings.Contains(body, "Held by the deletion guard") {
			t.Fatalf("no banner:\n%s", body)
		}
		assertForAdmin(t, "the held run", body)
		v := url.Values{csrfField: {c.csrf}}
		resp := c.do("POST", page+"/reject", "application/x-www-form-urlencoded", v.Encode(), nil)
		resp.Body.Close()
		body = c.get(resp.Header.Get("Location"), http.StatusOK)
		if strings.Contains(body, "Held by the deletion guard") || !strings.Contains(body, "Rejected: nobody was deactivated") {
			t.Fatalf("after Reject:\n%s", body)
		}
		assertForAdmin(t, "the rejected run", body)
	})
}

func TestStoreMessage(t *testing.T) {
	tests := []struct {
		err      string
		sentinel error
		want     string
	}{
		{`create site "Berlin": sqlite: site "Berlin": conflict`, store.ErrConflict, `Site "Berlin" already exists.`},
		{`create permissionSet "Auditors": sqlite: permissionSet "Auditors": conflict`, store.ErrConflict, `Permission set "Auditors" already exists.`},
		{`sqlite: connection "nope": not found`, store.ErrNotFound, `Connection "nope" does not exist.`},
		{`postgres: connection "nope": not found`, store.ErrNotFound, `Connection "nope" does not exist.`},
		{`run 5 is succeeded, not running: conflict`, store.ErrConflict, `Run 5 is succeeded, not running.`},
		{`app: schedule of "x": not found`, store.ErrNotFound, `Schedule of "x" was not found.`},
	}
	for _, tt := range tests {
		t.Run(tt.err, func(t *testing.T) {
			if got := storeMessage(errorString(tt.err), tt.sentinel); got != tt.want {
				t.Fatalf("storeMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
