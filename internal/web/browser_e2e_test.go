package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestBrowserNewAdministratorEndToEnd is the second acceptance
// check, at 390×844 and at 1280×800, against a real slapd: a new
// administrator, in the UI alone, adds a source (a wrong field first) and a
// relying party, checks them, edits a mapping in the table and tests it
// against a user, runs, reads and exports the run, adds a directory user,
// pauses and edits a schedule, creates a local user and an operator, and
// reads the audit log of all that. (Enrolling and revoking a certificate
// mapping needs Active Directory: TestBrowserEnrolAndRevokeCertificate
// does it against a Samba DC.)
func TestBrowserNewAdministratorEndToEnd(t *testing.T) {
	slapd.Require(t)
	dir := slapd.Start(t, 30, 0)
	for _, s := range screens {
		t.Run(s.name, func(t *testing.T) { endToEnd(t, s, dir) })
	}
}

func endToEnd(t *testing.T, s screen, dir *slapd.Server) {
	ctx := tab(t)
	e := newTestEnv(t)
	base := e.srv.URL
	useScreen(t, ctx, s)
	snap := func(name string) {
		t.Helper()
		checkA11y(t, ctx, name+" at "+s.name)
		screenshot(t, ctx, "e2e-"+name+"-"+s.name)
	}
	// The first administrator adds the new one, who then works alone.
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)
	run(t, ctx, "add the new administrator", chromedp.Navigate(base+"/admins"), chromedp.WaitVisible(chromedp.ID("#admin-name")),
		chromedp.SendKeys(chromedp.ID("#admin-name"), "nadia"), chromedp.SetValue(chromedp.ID("#admin-role"), "admin"),
		chromedp.SendKeys(chromedp.ID("#admin-password"), operatorPassword),
		chromedp.Click(chromedp.ID("#add-admin")), chromedp.WaitVisible(chromedp.CSS(`tr[data-name="nadia"]`)))
	run(t, ctx, "log out", chromedp.Click(chromedp.CSS(`.logout button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("#username")))
	browserLoginAs(t, ctx, base, "nadia", operatorPassword)

	// A source, with a broken filter first.
	addConn := func(typ, name, filter, linkingKey string) {
		t.Helper()
		run(t, ctx, "new "+typ, chromedp.Navigate(base+"/connections/new?type="+typ), chromedp.WaitVisible(chromedp.ID("#dnsName")),
			chromedp.SendKeys(chromedp.ID("#name"), name),
			chromedp.SendKeys(chromedp.ID("#friendlyName"), "Directory "+name),
			chromedp.SendKeys(chromedp.ID("#dnsName"), "127.0.0.1"),
			chromedp.SetValue(chromedp.ID("#port"), fmt.Sprint(dir.Port)),
			chromedp.SendKeys(chromedp.ID("#username"), slapd.AdminDN),
			chromedp.SendKeys(chromedp.ID("#password"), slapd.AdminPassword),
			chromedp.SendKeys(chromedp.ID("#searchPath"), slapd.PeopleDN),
			chromedp.SetValue(chromedp.ID("#searchFilter"), filter),
			chromedp.SetValue(chromedp.ID("#linkingKey"), linkingKey),
			chromedp.Click(chromedp.ID("#add-button")), chromedp.WaitVisible(chromedp.ID("#confirm-add")))
		snap("confirm-" + typ)
		run(t, ctx, "confirm", chromedp.Click(chromedp.ID("#confirm-yes")))
	}
	addConn("source", "src", "(objectClass=inetOrgPerson", "entryUUID")
	run(t, ctx, "the error", chromedp.WaitVisible(chromedp.ID("#form-summary")))
	if f := eval[string](t, ctx, `document.activeElement.id`); f != "searchFilter" && f != "form-summary" {
		t.Fatalf("focus after the failed Add: %q", f)
	}
	snap("source-error")
	run(t, ctx, "fix the filter", chromedp.SetValue(chromedp.ID("#searchFilter"), "(objectClass=inetOrgPerson)"),
		chromedp.Click(chromedp.ID("#add-button")), chromedp.WaitVisible(chromedp.ID("#confirm-add")),
		chromedp.Click(chromedp.ID("#confirm-yes")), chromedp.WaitVisible(chromedp.ID("#conn-src")))
	addConn("relyingParty", "rp", "(objectClass=inetOrgPerson)", "uid")
	run(t, ctx, "added", chromedp.WaitVisible(chromedp.ID("#conn-rp")))
	for _, name := range []string{"src", "rp"} {
		run(t, ctx, "check "+name, chromedp.Click(chromedp.CSS(`#conn-`+name+` .check-form button`)),
			chromedp.WaitVisible(chromedp.CSS(`#check-`+name+` .alert.ok`)))
	}
	snap("connections-checked")

	// A mapping edited in the table and tested against one user.
	run(t, ctx, "edit directory", chromedp.Navigate(base+"/connections/src"),
		chromedp.WaitVisible(chromedp.CSS(`#mapping-table tr[data-target="displayName"]`)))
	src := eval[string](t, ctx, `document.querySelector('#mapping-table tr[data-target="displayName"] input[list="attr-names"]').id`)
	clear(t, ctx, src)
	run(t, ctx, "edit the row", chromedp.SendKeys(chromedp.ID("#"+src), `Join(" ", "Dr.", [sn])`+"\t"),
		chromedp.SendKeys(chromedp.ID("#map-test-user"), slapd.UID(1)), chromedp.Click(chromedp.ID("#map-test")))
	waitFor(t, ctx, `document.getElementById("map-test-status").textContent.startsWith("Tested")`)
	if v := get(t, ctx, "new", chromedp.Text(chromedp.CSS(`#mapping-table tr[data-target="displayName"] .new`))); v != "Dr. Family1" {
		t.Fatalf("tested displayName: %q", v)
	}
	snap("mapping-tested")
	run(t, ctx, "update", chromedp.Click(chromedp.ID("#update-button")), chromedp.WaitVisible(chromedp.CSS(".alert.ok")))

	// Run, read and export the run.
	run(t, ctx, "start a sync", chromedp.Navigate(base+"/runs"), chromedp.WaitVisible(chromedp.ID("#start-sync")),
		chromedp.SetValue(chromedp.ID("#run-connection"), "src"), chromedp.Click(chromedp.ID("#start-sync")),
		chromedp.WaitVisible(chromedp.ID("#progress")))
	waitFor(t, ctx, `!!document.querySelector("#progress") && document.querySelector("#progress").dataset.done === "true" && document.readyState === "complete"`)
	// The page reloads when the run ends; until the new page is in, the
	// old one still says "running".
	waitFor(t, ctx, `document.readyState === "complete" && !!document.getElementById("export-csv") && !!document.getElementById("p-status") && document.getElementById("p-status").textContent.trim() !== "running"`)
	if st := get(t, ctx, "status", chromedp.Text(chromedp.ID("#p-status"))); st != "succeeded" {
		t.Fatalf("run: %q", st)
	}
	csv := get(t, ctx, "export", chromedp.Evaluate[string](`fetch(document.getElementById("export-csv").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(csv, "runId,connection,userId") || !strings.Contains(csv, "1,src,user000001,") || strings.Count(csv, ",created,") != 30 {
		t.Fatalf("exported CSV:\n%.400s", csv)
	}
	snap("run")

	// Add a directory user (already synced: the plan says unchanged).
	run(t, ctx, "add a directory user", chromedp.Navigate(base+"/users/add?connection=src"), chromedp.WaitVisible(chromedp.ID("#q")),
		chromedp.SendKeys(chromedp.ID("#q"), slapd.UID(2)), chromedp.Click(chromedp.ID("#search-button")),
		chromedp.WaitVisible(chromedp.CSS("#results .add-button")), chromedp.Click(chromedp.CSS("#results .add-button")),
		chromedp.WaitVisible(chromedp.ID("#add-result")))
	if res := get(t, ctx, "added", chromedp.Text(chromedp.ID("#add-result"))); !strings.Contains(res, slapd.UID(2)) {
		t.Fatalf("add user: %q", res)
	}

	// Pause and edit the schedule.
	run(t, ctx, "pause", chromedp.Navigate(base+"/schedules"), chromedp.WaitVisible(chromedp.ID("#sched-src")),
		chromedp.Click(chromedp.CSS(`#sched-src button[value="pause"]`)))
	waitFor(t, ctx, `document.readyState === "complete" && !!document.querySelector("#sched-src .u-inactive")`)
	run(t, ctx, "edit", chromedp.Click(chromedp.CSS(`#edit-src summary`)), chromedp.WaitVisible(chromedp.ID("#kind-src")),
		chromedp.SetValue(chromedp.ID("#kind-src"), "daily"), chromedp.SetValue(chromedp.ID("#at-src"), "00:00"),
		chromedp.SetValue(chromedp.ID("#tz-src"), "Europe/Rome"))
	eval[bool](t, ctx, `window.beforeSave = true`)
	run(t, ctx, "save", chromedp.Click(chromedp.CSS(`#edit-src button[type="submit"]`)))
	waitFor(t, ctx, `!window.beforeSave && document.readyState === "complete"`)
	if w := get(t, ctx, "words", chromedp.Text(chromedp.CSS(`#sched-src .words`))); w != "every day at 00:00, Europe/Rome" {
		t.Fatalf("schedule: %q", w)
	}
	snap("schedules")

	// A local user and an operator.
	run(t, ctx, "local user", chromedp.Navigate(base+"/local-users"), chromedp.WaitVisible(chromedp.ID("#lu-userId")),
		chromedp.SendKeys(chromedp.ID("#lu-userId"), "kiosk"), chromedp.SendKeys(chromedp.ID("#lu-password"), operatorPassword),
		chromedp.Click(chromedp.ID("#add-local-user")), chromedp.WaitVisible(chromedp.CSS(`tr[data-user="kiosk"]`)))
	run(t, ctx, "operator", chromedp.Navigate(base+"/admins"), chromedp.WaitVisible(chromedp.ID("#admin-name")),
		chromedp.SendKeys(chromedp.ID("#admin-name"), "otto"), chromedp.SetValue(chromedp.ID("#admin-role"), "operator"),
		chromedp.SendKeys(chromedp.ID("#admin-password"), operatorPassword),
		chromedp.Click(chromedp.ID("#add-admin")), chromedp.WaitVisible(chromedp.CSS(`tr[data-name="otto"]`)))

	// The audit log of all that, by the new administrator.
	run(t, ctx, "audit", chromedp.Navigate(base+"/audit?actor=nadia&limit=100"), chromedp.WaitVisible(chromedp.ID("audit")))
	log := get(t, ctx, "audit", chromedp.Text(chromedp.ID("audit")))
	for _, want := range []string{"login", "connection.create connection src", "connection.create connection rp",
		"connection.check connection src", "connection.check connection rp", "connection.update connection src",
		"run connection src", "directoryuser.add", "schedule.pause connection src", "schedule.edit connection src",
		"localuser.create local user kiosk", "admin.create admin otto"} {
		if !strings.Contains(strings.Join(strings.Fields(log), " "), want) {
			t.Errorf("the audit log lacks %q:\n%s", want, log)
		}
	}
	snap("audit")
}
