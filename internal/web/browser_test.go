package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/connection"
)

// chromiumPath is Debian's chromium. Tests skip without it, unless
// USERSYNC_INTEGRATION=1 (CI), where a missing browser fails them.
const chromiumPath = "/usr/bin/chromium"

// newBrowser returns a tab of the test binary's one shared Chromium (see
// tab), in a browser context of its own, at a desk's size.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx := tab(t)
	useScreen(t, ctx, screen{"desk", 1280, 900, false})
	return ctx
}

// browserDialogs is how a test's browser answers JavaScript dialogs: each
// is accepted (a confirm, or leaving a page with unsaved changes) unless
// stay is set, then each is dismissed. opened receives each dialog's type.
type browserDialogs struct {
	stay   atomic.Bool
	opened chan string
}

var dialogsByBrowser sync.Map // context.Context to *browserDialogs

// answerDialogs answers every dialog the browser of ctx opens, so that a
// test that leaves a page with unsaved changes does not wait for ever.
func answerDialogs(ctx context.Context) {
	d := &browserDialogs{opened: make(chan string, 16)}
	dialogsByBrowser.Store(ctx, d)
	events := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			select {
			case d.opened <- string(ev.Type):
			default:
			}
			accept := !d.stay.Load()
			go func() {
				_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: accept})
			}()
		}
	}()
}

// dialogsOf returns how the browser of ctx answers dialogs.
func dialogsOf(ctx context.Context) *browserDialogs {
	d, _ := dialogsByBrowser.Load(ctx)
	return d.(*browserDialogs)
}

// run runs browser steps and fails the test on error.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one browser action and returns its value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return get(t, ctx, expr, chromedp.Evaluate[T](expr))
}

// screenshot saves the whole page as testdata/artifacts/NAME.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	dir := filepath.Join("testdata", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// browserLogin logs in through the login form.
func browserLogin(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	run(t, ctx, "open login", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("#username")))
	screenshot(t, ctx, "01-login")
	run(t, ctx, "log in",
		chromedp.SendKeys(chromedp.ID("#username"), AdminName),
		chromedp.SendKeys(chromedp.ID("#password"), testAdminPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Main"]`)))
}

// TestBrowserAddCheckSyncAndUser: log in, add a connection
// to the demo directory, check it, run a sync, watch it and open a user.
func TestBrowserAddCheckSyncAndUser(t *testing.T) {
	ctx := newBrowser(t)
	e := newTestEnv(t)
	d := startDemoDir(t)
	base := e.srv.URL
	browserLogin(t, ctx, base)

	run(t, ctx, "choose the type",
		chromedp.Click(chromedp.CSS(`a[href="/connections"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/connections/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/connections/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/connections/new?type=source"]`)))
	screenshot(t, ctx, "02-choose-type")
	run(t, ctx, "fill the form",
		chromedp.Click(chromedp.CSS(`a[href="/connections/new?type=source"]`)),
		chromedp.WaitVisible(chromedp.ID("#dnsName")),
		chromedp.SendKeys(chromedp.ID("#name"), "contoso"),
		chromedp.SendKeys(chromedp.ID("#friendlyName"), "Contoso AD"),
		chromedp.SendKeys(chromedp.ID("#dnsName"), d.Host),
		chromedp.SetValue(chromedp.ID("#port"), fmt.Sprint(d.Port)),
		chromedp.SendKeys(chromedp.ID("#username"), d.BindDN),
		chromedp.SendKeys(chromedp.ID("#password"), d.Password),
		chromedp.SendKeys(chromedp.ID("#searchPath"), d.PeopleDN))
	screenshot(t, ctx, "03-add-form")
	run(t, ctx, "add and confirm",
		chromedp.Click(chromedp.ID("#add-button")),
		chromedp.WaitVisible(chromedp.ID("#confirm-add")))
	screenshot(t, ctx, "04-confirm")
	run(t, ctx, "confirm",
		chromedp.Click(chromedp.ID("#confirm-yes")),
		chromedp.WaitVisible(chromedp.ID("#conn-contoso")))
	run(t, ctx, "check connection",
		chromedp.Click(chromedp.CSS(`#conn-contoso .check-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#check-contoso .alert.ok`)))
	checkText := get(t, ctx, "read check", chromedp.Text(chromedp.CSS(`#check-contoso`)))
	if !strings.Contains(checkText, "100 entries") {
		t.Fatalf("check result: %q", checkText)
	}
	screenshot(t, ctx, "05-connections-checked")

	run(t, ctx, "the Advanced settings button is absent for a source connection",
		chromedp.Navigate(base+"/connections/contoso"), chromedp.WaitVisible(chromedp.ID("#update-button")))
	if present(t, ctx, "#advanced-settings") || present(t, ctx, "#upn-dialog") {
		t.Fatal("Advanced settings shown for a source connection")
	}

	// The Mappings section: an invalid expression is shown next to its
	// textarea and nothing is saved; Preview shows a dry run.
	bad := `[{"source": "userPrincipalName", "target": "userId"}, {"expression": "Join(\" \", [sn]", "target": "displayName"}]`
	run(t, ctx, "an invalid mapping",
		chromedp.SetValue(chromedp.ID("#mappings"), bad),
		chromedp.Click(chromedp.ID("#update-button")),
		chromedp.WaitVisible(chromedp.ID("#mappings-errors")))
	if msg := get(t, ctx, "mapping error", chromedp.Text(chromedp.ID("#mappings-errors"))); !strings.Contains(msg, "mappings[1].expression: expr: at column") {
		t.Fatalf("mapping error: %q", msg)
	}
	screenshot(t, ctx, "05b-mappings-error")
	run(t, ctx, "preview the saved mappings",
		chromedp.Navigate(base+"/connections/contoso"), chromedp.WaitVisible(chromedp.ID("#baseline-note")),
		chromedp.Click(chromedp.ID("#preview-button")),
		chromedp.WaitVisible(chromedp.ID("#preview-counts")))
	if counts := get(t, ctx, "preview", chromedp.Text(chromedp.ID("#preview-counts"))); !strings.Contains(counts, "100 entries read: 99 created") {
		t.Fatalf("preview: %q", counts)
	}
	screenshot(t, ctx, "05c-mappings-preview")

	// Add a directory user: search, show the plan, then add.
	run(t, ctx, "add a directory user",
		chromedp.Navigate(base+"/users"), chromedp.WaitVisible(chromedp.ID("#add-directory-user")),
		chromedp.Click(chromedp.ID("#add-directory-user")),
		chromedp.WaitVisible(chromedp.ID("#directory-search")),
		chromedp.SetValue(chromedp.ID("#q"), "zoe.weber"),
		chromedp.Click(chromedp.ID("#search-button")),
		chromedp.WaitVisible(chromedp.ID("#results")),
		chromedp.Click(chromedp.CSS("#results .plan-button")),
		chromedp.WaitVisible(chromedp.ID("#add-result")))
	if plan := get(t, ctx, "plan", chromedp.Text(chromedp.ID("#add-result"))); !strings.Contains(plan, "nothing was written") || !strings.Contains(plan, "1 created") {
		t.Fatalf("plan: %q", plan)
	}
	screenshot(t, ctx, "05d-add-user-plan")
	run(t, ctx, "apply it", chromedp.Click(chromedp.ID("#apply-button")), chromedp.WaitVisible(chromedp.CSS("#add-result a")))
	if done := get(t, ctx, "applied", chromedp.Text(chromedp.ID("#add-result"))); !strings.Contains(done, "Applied") || !strings.Contains(done, "zoe.weber@contoso.test: created") {
		t.Fatalf("applied: %q", done)
	}
	screenshot(t, ctx, "05e-add-user-applied")

	run(t, ctx, "start a sync",
		chromedp.Navigate(base+"/runs"), chromedp.WaitVisible(chromedp.ID("#start-sync")),
		chromedp.SetValue(chromedp.ID("#run-connection"), "contoso"),
		chromedp.Click(chromedp.ID("#start-sync")),
		chromedp.WaitVisible(chromedp.ID("#p-bar")))
	screenshot(t, ctx, "06-run-progress")
	// The page reloads itself when the run is done.
	waitFor(t, ctx, `!!document.querySelector("#progress") && document.querySelector("#progress").dataset.done === "true"`)
	run(t, ctx, "after reload", chromedp.WaitVisible(chromedp.ID("#p-status")))
	status := get(t, ctx, "status", chromedp.Text(chromedp.ID("#p-status")))
	read := get(t, ctx, "read", chromedp.Text(chromedp.ID("#p-read")))
	if status != "succeeded" || read != "100" {
		t.Fatalf("run: status %q, read %q", status, read)
	}
	screenshot(t, ctx, "07-run-done")
	run(t, ctx, "filter outcomes", chromedp.SetValue(chromedp.ID("#action"), "skipped"),
		chromedp.Click(chromedp.CSS(`form.inline button[type="submit"]`)))
	waitFor(t, ctx, `location.search.includes("action=skipped") && document.readyState === "complete"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("tbody .status").length`); n != 1 {
		t.Fatalf("%d outcomes shown for action skipped, want 1", n)
	}

	run(t, ctx, "open the users",
		chromedp.Navigate(base+"/users"), chromedp.WaitVisible(chromedp.ID("#q")))
	screenshot(t, ctx, "08-users")
	run(t, ctx, "open a user",
		chromedp.Click(chromedp.CSS(`table tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`.props`)))
	detail := get(t, ctx, "user detail", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(detail, "set by connection contoso") || !strings.Contains(detail, "created in run #") {
		t.Fatalf("user detail:\n%s", detail)
	}
	screenshot(t, ctx, "09-user")
	run(t, ctx, "dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	screenshot(t, ctx, "10-dashboard")
}

// present reports whether sel matches an element on the page.
func present(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
}

// panel is the dialog's settings for one worked example.
type panel struct {
	mail, sync                       bool
	target                           string
	multi, plain                     bool
	prefix                           string
	lowercase, skipPresent, variants bool
	onFailure                        string
}

// setPanel sets the dialog's controls as an operator would: clicking
// toggles, typing the target attribute, picking the format and failure mode.
func setPanel(t *testing.T, ctx context.Context, p panel) {
	t.Helper()
	toggle := func(id string, want bool) {
		if eval[bool](t, ctx, fmt.Sprintf(`document.getElementById(%q).checked`, id)) != want {
			run(t, ctx, "click "+id, chromedp.Click(chromedp.ID(id)))
		}
	}
	toggle("upn-mail-fallback", p.mail)
	toggle("upn-sync-enabled", p.sync)
	if !p.sync {
		if !eval[bool](t, ctx, `document.getElementById("upn-target").matches(":disabled")`) {
			t.Fatal("the sync fields are enabled while Sync UPN to AD attribute is off")
		}
		return
	}
	clear(t, ctx, "upn-target")
	run(t, ctx, "target", chromedp.SendKeys(chromedp.ID("#upn-target"), p.target))
	toggle("upn-multi", p.multi)
	if p.plain {
		run(t, ctx, "plain", chromedp.Click(chromedp.ID("#upn-format-plain")))
		if !hidden(t, ctx, "#upn-prefix-row") {
			t.Fatal("the prefix is shown for the plain format")
		}
	} else {
		run(t, ctx, "prefixed", chromedp.Click(chromedp.ID("#upn-format-prefixed")))
		clear(t, ctx, "upn-prefix")
		run(t, ctx, "prefix", chromedp.SendKeys(chromedp.ID("#upn-prefix"), p.prefix))
	}
	toggle("upn-lowercase", p.lowercase)
	toggle("upn-skip-present", p.skipPresent)
	toggle("upn-prefix-variants", p.variants)
	run(t, ctx, "on failure", chromedp.SetValue(chromedp.ID("#upn-on-failure"), p.onFailure))
}

// waitFor evaluates a JavaScript condition until it holds, across page
// loads (an evaluation during a navigation fails and is retried), for up to
// 90 seconds: on a loaded two-core CI machine a run started from the UI has
// taken over 30 seconds to be recorded as finished.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", cond, err)
		}
	}
}

// clear empties a text input, as selecting its text and deleting it would.
func clear(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`(document.getElementById(%q).value = "") === ""`, id))
}

func hidden(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	return eval[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q).offsetParent === null`, sel))
}

// TestBrowserAdvancedUPNSettings: the button shows
// for a relying party on LDAP, and each of the five worked examples set
// through the dialog yields the example's JSON byte for byte, in the field and,
// after Update, in the API.
func TestBrowserAdvancedUPNSettings(t *testing.T) {
	ctx := newBrowser(t)
	e := newTestEnv(t)
	putDemo(t, e, "rp", connection.DirectoryRelyingParty)
	api := e.login()
	base := e.srv.URL
	browserLogin(t, ctx, base)

	examples := []panel{
		{},
		{mail: true},
		{mail: true, sync: true, target: "proxyAddresses", multi: true, prefix: "smtp", lowercase: true, skipPresent: true, variants: true, onFailure: "warn"},
		{sync: true, target: "extensionAttribute5", plain: true, skipPresent: true, onFailure: "error"},
		{sync: true, target: "mail", plain: true, lowercase: true, skipPresent: true, onFailure: "ignore"},
	}
	for i, ex := range examples {
		t.Run(fmt.Sprintf("example %d", i+1), func(t *testing.T) {
			run(t, ctx, "open Edit Directory", chromedp.Navigate(base+"/connections/rp"), chromedp.WaitVisible(chromedp.ID("#advanced-settings")),
				chromedp.Click(chromedp.ID("#advanced-settings")), chromedp.WaitVisible(chromedp.ID("#upn-dialog")))
			if i == 0 {
				if eval[bool](t, ctx, `document.getElementById("upn-mail-fallback").checked || document.getElementById("upn-sync-enabled").checked`) {
					t.Fatal("a toggle is on by default")
				}
			}
			setPanel(t, ctx, ex)
			screenshot(t, ctx, fmt.Sprintf("11-upn-dialog-example-%d", i+1))
			run(t, ctx, "save", chromedp.Click(chromedp.ID("#upn-save")), chromedp.WaitNotVisible(chromedp.ID("#upn-dialog")))
			field := get(t, ctx, "field", chromedp.Value(chromedp.ID("#configureTwo")))
			if field != seedJSON[i] {
				t.Fatalf("ConfigureTwo field:\n got %s\nwant %s", field, seedJSON[i])
			}
			// Nothing is persisted before Update.
			if i > 0 {
				if _, stored := api.api("GET", "/api/v1/connections/rp/configure-two", ""); stored != seedJSON[i-1] {
					t.Fatalf("Save persisted before Update: %s", stored)
				}
			}
			run(t, ctx, "update", chromedp.Click(chromedp.ID("#update-button")), chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
			if code, stored := api.api("GET", "/api/v1/connections/rp/configure-two", ""); code != 200 || stored != seedJSON[i] {
				t.Fatalf("API after Update: %d\n got %s\nwant %s", code, stored, seedJSON[i])
			}
			// Reopening shows the stored configuration; Cancel discards.
			run(t, ctx, "reopen", chromedp.Click(chromedp.ID("#advanced-settings")), chromedp.WaitVisible(chromedp.ID("#upn-dialog")))
			target := get(t, ctx, "target", chromedp.Value(chromedp.ID("#upn-target")))
			sync := eval[bool](t, ctx, `document.getElementById("upn-sync-enabled").checked`)
			if sync != ex.sync || (ex.sync && target != ex.target) {
				t.Fatalf("reopened dialog shows sync=%v target=%q", sync, target)
			}
			run(t, ctx, "cancel", chromedp.Click(chromedp.ID("#upn-mail-fallback")), chromedp.Click(chromedp.ID("#upn-cancel")),
				chromedp.WaitNotVisible(chromedp.ID("#upn-dialog")))
			field = get(t, ctx, "field", chromedp.Value(chromedp.ID("#configureTwo")))
			if field != seedJSON[i] {
				t.Fatalf("Cancel changed the field: %s", field)
			}
		})
	}
	screenshot(t, ctx, "12-edit-directory")
}
