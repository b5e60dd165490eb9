package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// auditOf reads the audit log through the API.
func auditOf(t *testing.T, c *client, query string) auditPage {
	t.Helper()
	code, body := c.api("GET", "/api/v1/audit"+query, "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/audit%s: %d %s", query, code, body)
	}
	var p auditPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAuditLogRecordsWhoDidWhat: the audit log names who logged in (and
// who failed to), ran, paused, resumed, created and revoked tokens and
// added administrators, and when; it is filterable by actor, action,
// object and time in the API and on its page.
func TestAuditLogRecordsWhoDidWhat(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)

	// A failed login first: the name tried is the actor.
	anon := e.anonymous()
	m := loginCSRFRE.FindStringSubmatch(anon.get("/login", http.StatusOK))
	if code, _ := anon.call("POST", "/login", "application/x-www-form-urlencoded",
		url.Values{"username": {"mallory"}, "password": {"guess"}, "csrf": {m[1]}}.Encode(), nil); code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", code)
	}
	c := e.login()
	code, body := c.api("POST", "/api/v1/runs", `{"connection":"corp"}`)
	if code != http.StatusAccepted {
		t.Fatalf("start run: %d %s", code, body)
	}
	var run struct {
		RunID int64 `json:"runId"`
	}
	_ = json.Unmarshal([]byte(body), &run)
	waitRun(t, c, fmt.Sprint(run.RunID))
	for _, a := range []string{"pause", "resume"} {
		if code, body := c.api("POST", "/api/v1/connections/corp/schedule/"+a, ""); code != http.StatusOK {
			t.Fatalf("%s: %d %s", a, code, body)
		}
	}
	_, body = c.api("POST", "/api/v1/tokens", `{"name":"ci"}`)
	var tok store.APIToken
	_ = json.Unmarshal([]byte(body), &tok)
	if code, _ := c.api("DELETE", fmt.Sprintf("/api/v1/tokens/%d", tok.ID), ""); code != http.StatusNoContent {
		t.Fatalf("revoke: %d", code)
	}
	withOperator(t, e, c)

	all := auditOf(t, c, "?limit=100")
	var got []string
	for i := len(all.Events) - 1; i >= 0; i-- {
		ev := all.Events[i]
		got = append(got, ev.Actor+" "+ev.Action+" "+ev.Object)
	}
	want := []string{
		// putDemo saved it through the app with no actor in its context.
		"system connection.create connection corp",
		"mallory login.failed ",
		"admin login ",
		"admin run connection corp",
		"admin schedule.pause connection corp",
		"admin schedule.resume connection corp",
		"admin token.create token ci",
		fmt.Sprintf("admin token.revoke token %d", tok.ID),
		"admin admin.create admin olga",
		"olga login ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log, oldest first:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if all.Total != len(want) {
		t.Errorf("total = %d, want %d", all.Total, len(want))
	}
	for _, ev := range all.Events {
		if ev.At.IsZero() {
			t.Errorf("%+v has no time", ev)
		}
		if ev.Action == "run" && !strings.Contains(ev.Detail, fmt.Sprintf("run %d succeeded", run.RunID)) {
			t.Errorf("run event detail %q, want the run and its result", ev.Detail)
		}
	}

	for _, tc := range []struct {
		query string
		n     int
	}{
		{"?actor=olga", 1},
		{"?action=login.failed", 1},
		{"?object=CORP", 4},
		{"?actor=admin&action=schedule.pause", 1},
		{"?since=2000-01-01&until=2000-01-02", 0},
		{"?since=" + url.QueryEscape(all.Events[0].At.Format("2006-01-02T15:04:05.999999999Z07:00")), 1},
		{"?limit=2&offset=1", 2},
	} {
		if p := auditOf(t, c, tc.query); len(p.Events) != tc.n {
			t.Errorf("GET /api/v1/audit%s: %d events, want %d: %+v", tc.query, len(p.Events), tc.n, p.Events)
		}
	}
	for _, bad := range []string{"?since=yesterday", "?limit=-1", "?until=2026-13-40"} {
		code, body := c.api("GET", "/api/v1/audit"+bad, "")
		var ae apiError
		_ = json.Unmarshal([]byte(body), &ae)
		if code != http.StatusBadRequest || ae.Field == "" || !strings.Contains(bad, ae.Field) {
			t.Errorf("GET /api/v1/audit%s: %d %s; want 400 naming the parameter", bad, code, body)
		}
	}

	// The page shows the same, filtered, with times and their zone.
	page := c.get("/audit?action=schedule.pause", http.StatusOK)
	if strings.Count(page, `class="audit-event"`) != 1 || !strings.Contains(page, "connection corp") || !strings.Contains(page, "1–1 of 1") {
		t.Fatalf("audit page filtered by action:\n%s", page)
	}
	page = c.get("/audit?since=nonsense", http.StatusOK)
	if !strings.Contains(page, "since:") {
		t.Fatalf("audit page with a bad date does not say so:\n%s", page)
	}
}
