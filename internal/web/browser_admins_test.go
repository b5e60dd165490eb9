package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/connection"
)

// browserLoginAs logs in through the login form as name.
func browserLoginAs(t *testing.T, ctx context.Context, base, name, password string) {
	t.Helper()
	run(t, ctx, "log in as "+name, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("#username")),
		chromedp.SendKeys(chromedp.ID("#username"), name),
		chromedp.SendKeys(chromedp.ID("#password"), password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`header.top`)))
}

// TestBrowserAdministratorsAndOperator: on a phone, an administrator adds
// an operator (a weak password first: the error is shown, focus goes to
// the password, the name is kept), cannot demote the last admin, and reads
// it all in the audit log; the operator then sees no Administrators page
// and is refused a change with a message that names the role.
func TestBrowserAdministratorsAndOperator(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	base := e.srv.URL
	useScreen(t, ctx, phone)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)

	run(t, ctx, "open Administrators from the menu",
		chromedp.Click(chromedp.CSS(".nav-toggle")), chromedp.WaitVisible(chromedp.CSS(`#main-nav a[href="/admins"]`)),
		chromedp.Click(chromedp.CSS(`#main-nav a[href="/admins"]`)), chromedp.WaitVisible(chromedp.ID("#admin-name")))
	run(t, ctx, "a weak password",
		chromedp.SendKeys(chromedp.ID("#admin-name"), "olga"),
		chromedp.SetValue(chromedp.ID("#admin-role"), "operator"),
		chromedp.SendKeys(chromedp.ID("#admin-password"), "short"),
		chromedp.Click(chromedp.ID("#add-admin")), chromedp.WaitVisible(chromedp.ID("#form-error")))
	if msg := get(t, ctx, "error", chromedp.Text(chromedp.ID("#form-error"))); !strings.Contains(msg, "password") {
		t.Fatalf("error: %q", msg)
	}
	if f := eval[string](t, ctx, `document.activeElement.id`); f != "admin-password" {
		t.Fatalf("focus after the failed submit is on %q, want the password", f)
	}
	if v := get(t, ctx, "name kept", chromedp.Value(chromedp.ID("#admin-name"))); v != "olga" {
		t.Fatalf("name after the error = %q, want it kept", v)
	}
	look(t, ctx, "a01-admin-error")
	useScreen(t, ctx, phone)
	run(t, ctx, "a good password",
		chromedp.SendKeys(chromedp.ID("#admin-password"), operatorPassword),
		chromedp.Click(chromedp.ID("#add-admin")), chromedp.WaitVisible(chromedp.CSS(`tr[data-name="olga"]`)))
	if done := get(t, ctx, "done", chromedp.Text(chromedp.CSS(".alert.ok"))); !strings.Contains(done, "olga added with the operator role") {
		t.Fatalf("after adding: %q", done)
	}
	run(t, ctx, "demote the last admin",
		chromedp.SetValue(chromedp.ID("#role-admin"), "operator"),
		chromedp.Click(chromedp.CSS(`tr[data-name="admin"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".alert.error")))
	if msg := get(t, ctx, "refused", chromedp.Text(chromedp.CSS(".alert.error"))); !strings.Contains(msg, "last enabled administrator") {
		t.Fatalf("demoting the last admin: %q", msg)
	}
	look(t, ctx, "a02-admins")

	useScreen(t, ctx, phone)
	run(t, ctx, "the audit log, filtered", chromedp.Navigate(base+"/audit"), chromedp.WaitVisible(chromedp.ID("#f-action")),
		chromedp.SetValue(chromedp.ID("#f-action"), "admin.create"),
		chromedp.Click(chromedp.CSS(`#audit-filter button[type="submit"]`)))
	waitFor(t, ctx, `location.search.includes("action=admin.create") && document.readyState === "complete"`)
	rows := get(t, ctx, "rows", chromedp.Text(chromedp.ID("audit")))
	if strings.Count(rows, "admin.create") != 1 || !strings.Contains(rows, "admin olga") || !strings.Contains(rows, "role operator") {
		t.Fatalf("audit rows: %q", rows)
	}
	look(t, ctx, "a03-audit")

	useScreen(t, ctx, phone)
	run(t, ctx, "log out", chromedp.Click(chromedp.CSS(`.logout button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("#username")))
	browserLoginAs(t, ctx, base, "olga", operatorPassword)
	if present(t, ctx, `#main-nav a[href="/admins"]`) {
		t.Fatal("the operator's menu offers Administrators")
	}
	run(t, ctx, "try a change", chromedp.Navigate(base+"/entities"), chromedp.WaitVisible(chromedp.ID("#new-group")),
		chromedp.SendKeys(chromedp.ID("#new-group"), "Sales"),
		chromedp.Click(chromedp.ID("#add-group")))
	// The refusal is a new page: wait for its text, not for any heading,
	// which the page being left still shows.
	waitFor(t, ctx, `document.readyState === "complete" && !!document.querySelector("main") && document.querySelector("main").textContent.includes("your role is operator")`)
	body := get(t, ctx, "refusal", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(body, "your role is operator") || !strings.Contains(body, "admin role") {
		t.Fatalf("operator's change: %q", body)
	}
	look(t, ctx, "a04-operator-refused")
}
