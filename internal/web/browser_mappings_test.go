package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// TestBrowserMappingTable: the mappings are a table, one row per mapping,
// with attribute names suggested; editing a row writes the JSON (which
// stays as the advanced view); "test against one user" shows each field's
// stored (old) value and the value the edited mappings give (new), writing
// nothing; Update saves the edited row.
func TestBrowserMappingTable(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	if _, err := e.app.Sync(t.Context(), "corp", app.SyncOptions{Trigger: store.TriggerManual}); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	useScreen(t, ctx, desk)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)
	run(t, ctx, "open", chromedp.Navigate(base+"/connections/corp"), chromedp.WaitVisible(chromedp.CSS(`#mapping-table tr[data-target="displayName"]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll("#mapping-table tbody tr").length`); n < 10 {
		t.Fatalf("%d rows, want one per baseline mapping", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#attr-names option").length`); n < 20 {
		t.Fatalf("%d attribute names suggested", n)
	}
	if eval[bool](t, ctx, `document.querySelector("details.advanced").open`) {
		t.Fatal("the JSON view is open by default")
	}
	row := `#mapping-table tr[data-target="displayName"]`
	src := eval[string](t, ctx, `document.querySelector('`+row+` input[list="attr-names"]').id`)
	clear(t, ctx, src)
	run(t, ctx, "edit the row", chromedp.SendKeys(chromedp.ID("#"+src), `Join(" ", "Dr.", [sn])`),
		chromedp.SendKeys(chromedp.ID("#"+src), "\t"))
	if j := get(t, ctx, "json", chromedp.Value(chromedp.ID("#mappings"))); !strings.Contains(j, `"expression": "Join(\" \", \"Dr.\", [sn])"`) {
		t.Fatalf("the JSON does not follow the table:\n%s", j)
	}
	if hidden(t, ctx, "#unsaved-marker") {
		t.Fatal("an edited row is not marked unsaved")
	}
	run(t, ctx, "test against one user", chromedp.SendKeys(chromedp.ID("#map-test-user"), "zoe.weber"),
		chromedp.Click(chromedp.ID("#map-test")))
	waitFor(t, ctx, `document.getElementById("map-test-status").textContent.startsWith("Tested")`)
	oldV := get(t, ctx, "old", chromedp.Text(chromedp.CSS(row+" .old")))
	newV := get(t, ctx, "new", chromedp.Text(chromedp.CSS(row+" .new")))
	if newV != "Dr. Weber" || oldV == "" || oldV == newV {
		t.Fatalf("displayName: old %q, new %q; want the stored name and Dr. Weber", oldV, newV)
	}
	look(t, ctx, "m01-mapping-table-tested")
	useScreen(t, ctx, desk)
	users, _ := e.app.Store.FindUsers(t.Context(), "zoe.weber@contoso.test")
	if len(users) == 1 && users[0].Fields["displayName"] == "Dr. Weber" {
		t.Fatal("the test wrote the user")
	}
	run(t, ctx, "update", chromedp.Click(chromedp.ID("#update-button")), chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
	c, _, err := e.app.Store.GetConnection(t.Context(), "corp")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range c.Mappings {
		if m.Target == "displayName" && m.Expression == `Join(" ", "Dr.", [sn])` {
			found = true
		}
	}
	if !found {
		t.Fatalf("stored mappings: %+v", c.Mappings)
	}
}

// TestBrowserScopeClauseBuilder: the scoping filter is built clause by
// clause; a clause without a value (IS NOT NULL) has its value box off;
// Update saves the clauses, which then decide who is in scope.
func TestBrowserScopeClauseBuilder(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	base := e.srv.URL
	useScreen(t, ctx, phone)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)
	run(t, ctx, "open", chromedp.Navigate(base+"/connections/corp"), chromedp.WaitVisible(chromedp.ID("#scope-add")),
		chromedp.Click(chromedp.ID("#scope-add")), chromedp.WaitVisible(chromedp.ID("#scope-attr-0")),
		chromedp.SendKeys(chromedp.ID("#scope-attr-0"), "department\t"),
		chromedp.SendKeys(chromedp.ID("#scope-value-0"), "Sales\t"),
		chromedp.Click(chromedp.ID("#scope-add")), chromedp.WaitVisible(chromedp.ID("#scope-attr-1")),
		chromedp.SendKeys(chromedp.ID("#scope-attr-1"), "mail\t"),
		chromedp.SetValue(chromedp.ID("#scope-op-1"), "IS NOT NULL"))
	eval[bool](t, ctx, `document.getElementById("scope-op-1").dispatchEvent(new Event("change")) || true`)
	if !eval[bool](t, ctx, `document.getElementById("scope-value-1").disabled`) {
		t.Fatal("IS NOT NULL leaves its value box on")
	}
	look(t, ctx, "m02-scope-builder")
	useScreen(t, ctx, phone)
	run(t, ctx, "update", chromedp.Click(chromedp.ID("#update-button")), chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
	c, _, err := e.app.Store.GetConnection(t.Context(), "corp")
	if err != nil || c.Scope == nil || len(c.Scope.Clauses) != 2 {
		t.Fatalf("stored scope: %+v, %v", c.Scope, err)
	}
	got := fmt.Sprintf("%+v", c.Scope.Clauses)
	if !strings.Contains(got, "department") || !strings.Contains(got, "Sales") || !strings.Contains(got, "isNotNull") {
		t.Fatalf("clauses: %s", got)
	}
}
