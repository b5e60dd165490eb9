package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestUndoAPIAndRunPage: the API previews and applies an undo, refuses a
// second undo of the same run, and the runs list and the run page say
// "undone by run N"; the run page's button undoes the undo.
func TestUndoAPIAndRunPage(t *testing.T) {
	s := slapd.Start(t, 12, 0)
	e := newTestEnv(t)
	ctx := context.Background()
	doc, _ := json.Marshal(map[string]any{
		"name": "corp", "directoryType": "source", "systemType": "ldap", "dnsName": "127.0.0.1", "port": s.Port, "security": "none",
		"username": slapd.AdminDN, "password": slapd.AdminPassword, "searchPath": slapd.PeopleDN, "searchFilter": "(objectClass=inetOrgPerson)",
		"groupRules": false,
	})
	if _, _, err := e.app.ApplyConnection(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Sync(ctx, "corp", app.SyncOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	l, err := ldapv3.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	m := ldapv3.NewModifyRequest(slapd.UserDN(3), nil)
	m.Replace("mail", []string{"moved@example.org"})
	if err := l.Modify(m); err != nil {
		t.Fatal(err)
	}
	run, err := e.app.Sync(ctx, "corp", app.SyncOptions{Full: true})
	if err != nil || run.Updated != 1 {
		t.Fatalf("sync after the change: %+v, %v", run, err)
	}
	c := e.login()
	base := fmt.Sprintf("/api/v1/runs/%d/undo", run.ID)

	if code, body := c.api("POST", base+"?dryRun=maybe", ""); code != http.StatusBadRequest || !strings.Contains(body, "dryRun") {
		t.Fatalf("bad dryRun: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/runs/99999/undo", ""); code != http.StatusBadRequest || !strings.Contains(body, "no run 99999") {
		t.Fatalf("undo of a missing run: %d %s", code, body)
	}
	var rep app.UndoReport
	code, body := c.api("POST", base+"?dryRun=true", "")
	if code != http.StatusOK || json.Unmarshal([]byte(body), &rep) != nil || !rep.DryRun || len(rep.Plan) != 1 ||
		rep.Plan[0].Changes[0].New != slapd.UID(3)+"@example.com" {
		t.Fatalf("dry run: %d %s", code, body)
	}
	if u := emailOf(t, e, slapd.UID(3)); u != "moved@example.org" {
		t.Fatalf("the dry run wrote: email %q", u)
	}
	code, body = c.api("POST", base, "")
	if code != http.StatusOK || json.Unmarshal([]byte(body), &rep) != nil || rep.Status != store.RunSucceeded || rep.UndoOf != run.ID || rep.Updated != 1 {
		t.Fatalf("undo: %d %s", code, body)
	}
	if u := emailOf(t, e, slapd.UID(3)); u != slapd.UID(3)+"@example.com" {
		t.Fatalf("after the undo email = %q", u)
	}
	if code, body := c.api("POST", base, ""); code != http.StatusBadRequest || !strings.Contains(body, "already undone") {
		t.Fatalf("second undo: %d %s", code, body)
	}
	undone := fmt.Sprintf("undone by run %d", rep.ID)
	if page := c.get("/runs", http.StatusOK); !strings.Contains(page, undone) {
		t.Fatalf("runs page lacks %q", undone)
	}
	if page := c.get(fmt.Sprintf("/runs/%d", run.ID), http.StatusOK); !strings.Contains(page, fmt.Sprintf(`Undone by <a href="/runs/%d">`, rep.ID)) ||
		strings.Contains(page, `id="undo-run"`) {
		t.Fatal("the undone run's page lacks the link to its undo, or still offers the button")
	}
	if page := c.get(fmt.Sprintf("/runs/%d", rep.ID), http.StatusOK); !strings.Contains(page, `id="undo-run"`) {
		t.Fatal("the undo run's page has no undo button")
	}
	// The button leads to the preview, whose button undoes the undo.
	preview := c.get(fmt.Sprintf("/runs/%d/undo", rep.ID), http.StatusOK)
	if !strings.Contains(preview, `id="undo-confirm"`) || !strings.Contains(preview, "moved@example.org") {
		t.Fatalf("the undo preview lacks the plan or the button:\n%s", preview)
	}
	if u := emailOf(t, e, slapd.UID(3)); u != slapd.UID(3)+"@example.com" {
		t.Fatalf("the preview wrote: email %q", u)
	}
	code, _ = c.form(fmt.Sprintf("/runs/%d/undo", rep.ID), url.Values{})
	if code != http.StatusSeeOther {
		t.Fatalf("undo button: %d", code)
	}
	if u := emailOf(t, e, slapd.UID(3)); u != "moved@example.org" {
		t.Fatalf("after the undo of the undo email = %q", u)
	}
}

func emailOf(t *testing.T, e *testEnv, userID string) string {
	t.Helper()
	us, err := e.app.Store.FindUsers(context.Background(), userID)
	if err != nil || len(us) != 1 {
		t.Fatalf("FindUsers(%s) = %v, %v", userID, us, err)
	}
	return us[0].Fields[store.FieldEmail]
}
