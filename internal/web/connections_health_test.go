package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// TestConnectionsHealthBoard: the connections list shows each
// connection's last check and its result, its last run and result, and its
// next run, with times in their zone; a connection never checked or run
// says so.
func TestConnectionsHealthBoard(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	putDemo(t, e, "corpx", connection.DirectorySource)
	c := e.login()
	row := func(name string) string {
		t.Helper()
		page := c.get("/connections", http.StatusOK)
		m := regexp.MustCompile(`(?s)<tr class="check-row" id="health-` + name + `">.*?</p>`).FindString(page)
		if m == "" {
			t.Fatalf("no health row for %s:\n%s", name, page)
		}
		return regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m, " "), " ")
	}
	if r := row("corp"); !strings.Contains(r, "Last check: never") || !strings.Contains(r, "Last run: never") {
		t.Fatalf("before anything: %q", r)
	}
	if code, body := c.api("POST", "/api/v1/connections/corp/check", ""); code != http.StatusOK {
		t.Fatalf("check: %d %s", code, body)
	}
	if _, err := e.app.Sync(t.Context(), "corp", app.SyncOptions{Trigger: store.TriggerManual}); err != nil {
		t.Fatal(err)
	}
	r := row("corp")
	zone := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z+\-0-9]+`)
	if !strings.Contains(r, " ok") || !strings.Contains(r, "Last run: #") || !strings.Contains(r, "succeeded") || len(zone.FindAllString(r, -1)) < 3 {
		t.Fatalf("after a check and a run: %q", r)
	}
	// corpx's board is its own: a name that contains another's is not
	// mistaken for it.
	if r := row("corpx"); !strings.Contains(r, "Last check: never") {
		t.Fatalf("corpx: %q", r)
	}
	if code, _ := c.api("POST", "/api/v1/connections/corp/schedule/pause", ""); code != http.StatusOK {
		t.Fatal("pause")
	}
	if r := row("corp"); !strings.Contains(r, "Next run: paused") {
		t.Fatalf("paused: %q", r)
	}
}
