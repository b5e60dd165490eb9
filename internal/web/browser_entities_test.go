package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/connection"
)

// TestBrowserEntitiesAndSchedules adds a permission set and a site on the
// entities page, assigns a user by hand, then pauses and resumes a
// connection on the Schedules page.
func TestBrowserEntitiesAndSchedules(t *testing.T) {
	ctx := newBrowser(t)
	e := newTestEnv(t)
	putDemo(t, e, "contoso", connection.DirectorySource)
	base := e.srv.URL
	browserLogin(t, ctx, base)

	run(t, ctx, "open entities",
		chromedp.Click(chromedp.CSS(`a[href="/entities"]`)),
		chromedp.WaitVisible(chromedp.ID("#new-permissionSet")),
		chromedp.SendKeys(chromedp.ID("#new-permissionSet"), "Auditors"),
		chromedp.Click(chromedp.ID("#add-permissionSet")))
	waitFor(t, ctx, `location.search.includes("flash=") && document.readyState === "complete"`)
	run(t, ctx, "add a site",
		chromedp.SendKeys(chromedp.ID("#new-site"), "Berlin"),
		chromedp.Click(chromedp.ID("#add-site")))
	waitFor(t, ctx, `document.querySelectorAll("#kind-site tr.entity").length === 1`)
	text := get(t, ctx, "entities", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "Auditors") || !strings.Contains(text, "Berlin") {
		t.Fatalf("entities page:\n%s", text)
	}
	screenshot(t, ctx, "11-entities")

	// Assign a synced user to the site by hand.
	c := e.login()
	_, body := c.api("POST", "/api/v1/runs", `{"connection":"contoso"}`)
	waitRun(t, c, regexp1(`"runId": (\d+)`, body))
	_, body = c.api("GET", "/api/v1/users?limit=1", "")
	id := regexp1(`"id": (\d+)`, body)
	run(t, ctx, "open the user",
		chromedp.Navigate(base+"/users/"+id), chromedp.WaitVisible(chromedp.ID("#assign-entity")),
		chromedp.SetValue(chromedp.ID("#assign-entity"), "site/Berlin"),
		chromedp.Click(chromedp.ID("#assign-button")))
	waitFor(t, ctx, `document.querySelectorAll("#memberships tr.membership").length === 1`)
	text = get(t, ctx, "memberships", chromedp.Text(chromedp.ID("#memberships")))
	if !strings.Contains(text, "Berlin") || !strings.Contains(text, "assigned by hand") {
		t.Fatalf("memberships:\n%s", text)
	}
	screenshot(t, ctx, "12-user-memberships")

	run(t, ctx, "open schedules",
		chromedp.Click(chromedp.CSS(`a[href="/schedules"]`)),
		chromedp.WaitVisible(chromedp.ID("#sched-contoso")))
	if last := get(t, ctx, "last run", chromedp.Text(chromedp.CSS("#sched-contoso .last"))); !strings.Contains(last, "succeeded") {
		t.Fatalf("last run: %q", last)
	}
	run(t, ctx, "pause", chromedp.Click(chromedp.CSS(`#sched-contoso button[value="pause"]`)))
	waitFor(t, ctx, `!!document.querySelector('#sched-contoso button[value="resume"]')`)
	if state := get(t, ctx, "state", chromedp.Text(chromedp.CSS("#sched-contoso .state"))); !strings.Contains(state, "paused") {
		t.Fatalf("state after pause: %q", state)
	}
	screenshot(t, ctx, "13-schedules-paused")
	run(t, ctx, "resume", chromedp.Click(chromedp.CSS(`#sched-contoso button[value="resume"]`)))
	waitFor(t, ctx, `!!document.querySelector('#sched-contoso button[value="pause"]')`)
	screenshot(t, ctx, "14-schedules")
}
