package web

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// TestBrowserEveryPageAtBothSizes: every page and dialog, at 390×844 and
// at 1280×800, has no serious or critical axe-core violation, is no wider
// than the screen, and is photographed under testdata/artifacts.
func TestBrowserEveryPageAtBothSizes(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	putDemo(t, e, "rp", connection.DirectoryRelyingParty)
	rep, err := e.app.Sync(t.Context(), "corp", app.SyncOptions{Trigger: store.TriggerManual})
	if err != nil {
		t.Fatal(err)
	}
	users, err := e.app.Store.ListUsers(t.Context(), store.UserQuery{Limit: 1})
	if err != nil || len(users) == 0 {
		t.Fatalf("users: %v %v", users, err)
	}
	base := e.srv.URL

	useScreen(t, ctx, phone)
	run(t, ctx, "open login", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("#username")))
	look(t, ctx, "p01-login")
	browserLogin(t, ctx, base)

	// The navigation collapses behind Menu on a phone and opens with it.
	useScreen(t, ctx, phone)
	run(t, ctx, "dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".nav-toggle")))
	if !hidden(t, ctx, `#main-nav a[href="/runs"]`) {
		t.Error("the navigation is open on a phone before Menu is pressed")
	}
	run(t, ctx, "open the menu", chromedp.Click(chromedp.CSS(".nav-toggle")), chromedp.WaitVisible(chromedp.CSS(`#main-nav a[href="/runs"]`)))
	look(t, ctx, "p02-menu-open")

	for _, p := range []struct{ path, name string }{
		{"/", "p03-dashboard"},
		{"/connections", "p04-connections"},
		{"/connections/new", "p05-connection-choose"},
		{"/connections/new?type=source", "p06-connection-new-source"},
		{"/connections/new?type=relyingParty", "p07-connection-new-rp"},
		{"/connections/corp", "p08-connection-edit"},
		{"/connections/rp", "p09-connection-edit-rp"},
		{"/runs", "p10-runs"},
		{fmt.Sprintf("/runs/%d", rep.ID), "p11-run"},
		{"/schedules", "p12-schedules"},
		{"/users", "p13-users"},
		{"/users/add", "p14-user-add"},
		{fmt.Sprintf("/users/%d", users[0].ID), "p15-user"},
		{"/entities", "p16-entities"},
		{"/account", "p17-account"},
		{"/admins", "p18-admins"},
		{"/audit", "p19-audit"},
		{"/no-such-page", "p20-not-found"},
		{"/local-users", "p22-local-users"},
		{"/tokens", "p23-tokens"},
		{"/certificates", "p24-certificates"},
		{"/connections/corp/groups", "p25-group-rules"},
		{fmt.Sprintf("/runs/%d?action=created&user=zoe", rep.ID), "p26-run-filtered"},
		{"/users?status=active&sort=updated", "p27-users-sorted"},
	} {
		sweep(t, ctx, base, p.path, p.name)
	}
	// The dialogs: confirming a new connection, and the Advanced UPN Sync
	// Settings.
	run(t, ctx, "open the UPN dialog", chromedp.Navigate(base+"/connections/rp"), chromedp.WaitVisible(chromedp.ID("#advanced-settings")),
		chromedp.Click(chromedp.ID("#advanced-settings")), chromedp.WaitVisible(chromedp.ID("#upn-dialog")))
	look(t, ctx, "p21-upn-dialog")
}
