package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// TestBrowserAdminUIDefects walks, in one browser, the Admin UI defects an
// administrator met: each subtest is one of them.
func TestBrowserAdminUIDefects(t *testing.T) {
	ctx := newBrowser(t)
	e := newTestEnv(t)
	d := startDemoDir(t)
	base := e.srv.URL
	src := d.Connection("contoso")
	if _, _, err := e.app.PutConnection(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Sync(context.Background(), "contoso", app.SyncOptions{Trigger: store.TriggerManual}); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, ctx, base)

	// fill types the fields every connection needs into the add form.
	fill := func(t *testing.T, name, filter string) {
		t.Helper()
		run(t, ctx, "fill the form",
			chromedp.WaitVisible(chromedp.ID("#dnsName")),
			chromedp.SendKeys(chromedp.ID("#name"), name),
			chromedp.SendKeys(chromedp.ID("#dnsName"), d.Host),
			chromedp.SetValue(chromedp.ID("#port"), fmt.Sprint(d.Port)),
			chromedp.SendKeys(chromedp.ID("#username"), d.BindDN),
			chromedp.SendKeys(chromedp.ID("#password"), d.Password),
			chromedp.SendKeys(chromedp.ID("#searchPath"), d.PeopleDN))
		clear(t, ctx, "searchFilter")
		run(t, ctx, "filter", chromedp.SendKeys(chromedp.ID("#searchFilter"), filter))
	}
	addAndConfirm := func(t *testing.T) {
		t.Helper()
		run(t, ctx, "add and confirm",
			chromedp.Click(chromedp.ID("#add-button")),
			chromedp.WaitVisible(chromedp.ID("#confirm-add")),
			chromedp.Click(chromedp.ID("#confirm-yes")))
		waitFor(t, ctx, `document.readyState === "complete" && !document.querySelector("#confirm-add[open]")`)
	}

	t.Run("the password survives a validation error", func(t *testing.T) {
		run(t, ctx, "open the form", chromedp.Navigate(base+"/connections/new?type=source"))
		fill(t, "second", "(objectClass=user")
		addAndConfirm(t)
		waitFor(t, ctx, `document.querySelector("#searchFilter[aria-invalid=true]") !== null`)
		screenshot(t, ctx, "20-password-kept")
		html := eval[string](t, ctx, `document.documentElement.outerHTML`)
		if strings.Contains(html, d.Password) {
			t.Fatal("the password is echoed into the page")
		}
		if !present(t, ctx, "#password-kept") {
			t.Fatal("the page does not say what happened to the password")
		}
		if !eval[bool](t, ctx, `document.getElementById("add-form").classList.contains("unsaved")`) {
			t.Fatal("the form after a failed Add is not marked unsaved")
		}
		clear(t, ctx, "searchFilter")
		run(t, ctx, "fix the filter only", chromedp.SendKeys(chromedp.ID("#searchFilter"), "(objectClass=user)"))
		addAndConfirm(t)
		waitFor(t, ctx, `document.getElementById("conn-second") !== null`)
		c, _, err := e.app.Store.GetConnection(context.Background(), "second")
		if err != nil || !c.HasPassword {
			t.Fatalf("the connection was saved without its password: %+v %v", c, err)
		}
		if _, err := e.app.CheckConnection(context.Background(), "second"); err != nil {
			t.Fatalf("check after the retry: %v", err)
		}
	})

	t.Run("a second source reading the same users is warned about", func(t *testing.T) {
		run(t, ctx, "open the form", chromedp.Navigate(base+"/connections/new?type=source"))
		fill(t, "dup", src.SearchFilter)
		addAndConfirm(t)
		waitFor(t, ctx, `document.getElementById("conn-dup") !== null`)
		warn := eval[string](t, ctx, `Array.from(document.querySelectorAll(".overlap-warning")).map(e => e.textContent).join("\n")`)
		if !strings.Contains(warn, `Connection "contoso" reads the same directory`) || !strings.Contains(warn, `Connection "dup" reads the same directory`) {
			t.Fatalf("the connections page does not warn of the overlap:\n%s", warn)
		}
		screenshot(t, ctx, "24-overlapping-sources")
		run(t, ctx, "edit", chromedp.Navigate(base+"/connections/dup"), chromedp.WaitVisible(chromedp.ID("#update-button")))
		if !present(t, ctx, ".overlap-warning") {
			t.Fatal("the Edit Directory page does not warn of the overlap")
		}
	})

	t.Run("a relying party with the form's defaults links users, and Start sync answers", func(t *testing.T) {
		run(t, ctx, "open the form", chromedp.Navigate(base+"/connections/new?type=relyingParty"),
			chromedp.WaitVisible(chromedp.ID("#linkingKey")))
		if key := eval[string](t, ctx, `document.getElementById("linkingKey").value`); key != "userPrincipalName" {
			t.Fatalf("the relying party's linking key defaults to %q", key)
		}
		filter := eval[string](t, ctx, `document.getElementById("searchFilter").value`)
		fill(t, "rp", filter)
		addAndConfirm(t)
		waitFor(t, ctx, `document.getElementById("conn-rp") !== null`)

		startSync := func(t *testing.T) string {
			t.Helper()
			run(t, ctx, "start sync", chromedp.Navigate(base+"/runs"), chromedp.WaitVisible(chromedp.ID("#start-sync")),
				chromedp.SetValue(chromedp.ID("#run-connection"), "rp"),
				chromedp.Click(chromedp.ID("#start-sync")))
			waitFor(t, ctx, `/^\/runs\/\d+$/.test(location.pathname) || document.querySelector(".alert.error") !== null`)
			if present(t, ctx, ".alert.error") {
				t.Fatalf("Start sync: %s", get(t, ctx, "error", chromedp.Text(chromedp.CSS(".alert.error"))))
			}
			waitFor(t, ctx, `document.getElementById("p-status").textContent === "succeeded"`)
			run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("#p-status")))
			return eval[string](t, ctx, `document.getElementById("progress").textContent`)
		}
		if text := startSync(t); strings.Contains(text, "no entry was linked") {
			t.Fatalf("the run with the default linking key links nobody:\n%s", text)
		}
		screenshot(t, ctx, "21-relying-party-run")

		// With a key no entry matches (objectGUID, the old default), the run
		// says so and the dashboard shows it.
		rp, _, err := e.app.Store.GetConnection(context.Background(), "rp")
		if err != nil {
			t.Fatal(err)
		}
		rp.LinkingKey = "objectGUID"
		if _, _, err := e.app.PutConnection(context.Background(), rp); err != nil {
			t.Fatal(err)
		}
		if text := startSync(t); !strings.Contains(text, "no entry was linked: none of the 100 entries read") {
			t.Fatalf("the run that links nobody has no warning:\n%s", text)
		}
		screenshot(t, ctx, "22-run-links-nobody")
		run(t, ctx, "dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Main"]`)))
		if !present(t, ctx, "#run-warnings") || !strings.Contains(eval[string](t, ctx, `document.getElementById("run-warnings").textContent`), "no entry was linked") {
			t.Fatal("the dashboard does not show the run that links nobody")
		}
		screenshot(t, ctx, "23-dashboard-warning")
	})

	t.Run("Edit Directory shows the results of Update and Preview at the top", func(t *testing.T) {
		run(t, ctx, "edit", chromedp.Navigate(base+"/connections/contoso"), chromedp.WaitVisible(chromedp.ID("#update-button")))
		eval[bool](t, ctx, `(document.getElementById("mappings").value = '[{"source": "mail", "target": "email",}]') !== ""`)
		run(t, ctx, "update", chromedp.Click(chromedp.ID("#update-button")))
		waitFor(t, ctx, `document.readyState === "complete" && document.getElementById("form-summary") !== null`)
		screenshot(t, ctx, "25-update-summary")
		if top := eval[float64](t, ctx, `document.getElementById("form-summary").getBoundingClientRect().top + window.scrollY`); top > 300 {
			t.Fatalf("the summary is %.0f px down the page", top)
		}
		if text := eval[string](t, ctx, `document.getElementById("form-summary").textContent`); !strings.Contains(text, "line 1, column 40") {
			t.Fatalf("the summary does not say where the JSON is wrong:\n%s", text)
		}
		if id := eval[string](t, ctx, `document.activeElement.id`); id != "mappings" {
			t.Fatalf("focus is on %q, not on the first error", id)
		}
		if !eval[bool](t, ctx, `!document.getElementById("unsaved-marker").hidden`) {
			t.Fatal("the form after a failed Update is not marked unsaved")
		}

		run(t, ctx, "edit again", chromedp.Navigate(base+"/connections/contoso"), chromedp.WaitVisible(chromedp.ID("#preview-button")),
			chromedp.Click(chromedp.ID("#preview-button")))
		waitFor(t, ctx, `document.readyState === "complete" && document.getElementById("preview-summary") !== null`)
		screenshot(t, ctx, "26-preview-summary")
		if top := eval[float64](t, ctx, `document.getElementById("preview-summary").getBoundingClientRect().top + window.scrollY`); top > 300 {
			t.Fatalf("the preview's summary is %.0f px down the page", top)
		}
		if id := eval[string](t, ctx, `document.activeElement.id`); id != "preview" {
			t.Fatalf("focus is on %q, not on the preview's results", id)
		}
	})

	t.Run("screenshots of the pages touched, on a phone", func(t *testing.T) {
		run(t, ctx, "phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		defer run(t, ctx, "desk size", chromedp.EmulateReset())
		for name, path := range map[string]string{
			"30-phone-connections": "/connections", "31-phone-edit": "/connections/dup", "32-phone-dashboard": "/",
			"33-phone-not-found": "/no/such/page", "34-phone-new-relying-party": "/connections/new?type=relyingParty",
		} {
			run(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("#main")))
			screenshot(t, ctx, name)
		}
	})

	// This subtest leaves a page with unsaved changes open: it comes last.
	t.Run("unsaved changes are marked and leaving them asks first", func(t *testing.T) {
		run(t, ctx, "edit", chromedp.Navigate(base+"/connections/rp"), chromedp.WaitVisible(chromedp.ID("#advanced-settings")))
		if !hidden(t, ctx, "#unsaved-marker") {
			t.Fatal("a page just opened is marked unsaved")
		}
		run(t, ctx, "change the UPN settings",
			chromedp.Click(chromedp.ID("#advanced-settings")),
			chromedp.WaitVisible(chromedp.ID("#upn-dialog")),
			chromedp.Click(chromedp.ID("#upn-mail-fallback")),
			chromedp.Click(chromedp.ID("#upn-save")))
		waitFor(t, ctx, `!document.getElementById("unsaved-marker").hidden`)
		screenshot(t, ctx, "27-unsaved-changes")

		// Stay on the page, as an administrator would who meant to press
		// Update.
		dl := dialogsOf(ctx)
		dl.stay.Store(true)
		for len(dl.opened) > 0 {
			<-dl.opened
		}
		// On a phone the navigation is behind the Menu button.
		if !hidden(t, ctx, ".nav-toggle") {
			run(t, ctx, "open the menu", chromedp.Click(chromedp.CSS(".nav-toggle")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/runs"]`)))
		}
		go func() { _ = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav a[href="/runs"]`))) }()
		select {
		case typ := <-dl.opened:
			if typ != string("beforeunload") {
				t.Fatalf("a %s dialog opened", typ)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("leaving unsaved changes did not ask first")
		}
		waitFor(t, ctx, `location.pathname === "/connections/rp" && document.readyState === "complete"`)
		if v := eval[string](t, ctx, `document.getElementById("configureTwo").value`); !strings.Contains(v, `"mailFallbackOnMissingUpn":{"enabled":true}`) {
			t.Fatalf("the unsaved change is lost: %s", v)
		}
	})
}
