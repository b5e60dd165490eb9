package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/connection"
)

// TestBrowserMessagesForTheAdministrator is the sixth defect in a browser:
// what an administrator reads after a duplicate, on a missing connection
// and on a page that does not exist is written for them, inside the
// layout, never a store's or Go's internal text.
func TestBrowserMessagesForTheAdministrator(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "contoso", connection.DirectorySource)
	base := e.srv.URL
	useScreen(t, ctx, phone)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)
	for i := 0; i < 2; i++ {
		run(t, ctx, "add Berlin", chromedp.Navigate(base+"/entities"), chromedp.WaitVisible(chromedp.ID("#new-site")),
			chromedp.SendKeys(chromedp.ID("#new-site"), "Berlin"), chromedp.Click(chromedp.ID("#add-site")),
			chromedp.WaitVisible(chromedp.CSS(".alert")))
	}
	for _, tc := range []struct{ path, want string }{
		{"", `Site "Berlin" already exists.`},
		{"/connections/nope", `Connection "nope" does not exist.`},
		{"/no/such/page", "Page not found"},
	} {
		if tc.path != "" {
			run(t, ctx, "open "+tc.path, chromedp.Navigate(base+tc.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		}
		text := get(t, ctx, "page", chromedp.Text(chromedp.CSS("body")))
		if !strings.Contains(text, tc.want) || !present(t, ctx, `nav[aria-label="Main"]`) {
			t.Errorf("%s: want %q inside the layout:\n%s", tc.path, tc.want, text)
		}
		for _, bad := range internalTexts {
			if strings.Contains(text, bad) {
				t.Errorf("%s shows internal text %q", tc.path, bad)
			}
		}
	}
	look(t, ctx, "d06-not-found")
}
