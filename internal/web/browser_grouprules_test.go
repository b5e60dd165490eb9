package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/connection"
)

// TestBrowserGroupRuleSettings: a connection's group-rule settings have a
// page. "overwrite is refused with groupRules false": the error names the
// field, which gets the focus, and nothing is saved; a valid change is
// stored with the password kept.
func TestBrowserGroupRuleSettings(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	base := e.srv.URL
	useScreen(t, ctx, phone)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)
	run(t, ctx, "open", chromedp.Navigate(base+"/connections/corp/groups"), chromedp.WaitVisible(chromedp.ID("#groupRules")))
	if !eval[bool](t, ctx, `document.getElementById("groupRules").checked`) {
		t.Fatal("group rules shown off for a connection that has them on by default")
	}
	run(t, ctx, "rules off with overwrite", chromedp.Click(chromedp.ID("#groupRules")),
		chromedp.SetValue(chromedp.ID("#manualAssignments"), "overwrite"),
		chromedp.Click(chromedp.ID("#save-groups")), chromedp.WaitVisible(chromedp.ID("#form-error")))
	if f := eval[string](t, ctx, `document.activeElement.id`); f != "manualAssignments" {
		t.Fatalf("focus on %q, want manualAssignments (%s)", f, get(t, ctx, "msg", chromedp.Text(chromedp.ID("#form-error"))))
	}
	look(t, ctx, "g01-group-rules-error")
	if c, _, _ := e.app.Store.GetConnection(t.Context(), "corp"); c.ManualAssignments != "" || !c.GroupRulesOn() {
		t.Fatalf("a refused change was saved: %+v", c)
	}
	useScreen(t, ctx, phone)
	run(t, ctx, "rules on with overwrite", chromedp.Click(chromedp.ID("#groupRules")),
		chromedp.SetValue(chromedp.ID("#adminGroup"), "Admins"),
		chromedp.Click(chromedp.ID("#save-groups")), chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
	c, _, err := e.app.Store.GetConnection(t.Context(), "corp")
	if err != nil || c.ManualAssignments != "overwrite" || c.AdminGroup != "Admins" || !c.GroupRulesOn() || !c.HasPassword {
		t.Fatalf("stored: %+v, %v", c, err)
	}
	if msg := get(t, ctx, "done", chromedp.Text(chromedp.CSS(".alert.ok"))); !strings.Contains(msg, "saved") {
		t.Fatalf("done: %q", msg)
	}
	look(t, ctx, "g02-group-rules")
}
