package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// TestBrowserLocalUsersTokensCertificates: the pages for what was CLI-only.
// A local user is added (without a password first: the error names it, the
// focus is on it, the rest is kept) and deactivated; a token is shown once
// and revoked; a certificate that is not PEM is refused naming the field.
func TestBrowserLocalUsersTokensCertificates(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "rp", connection.DirectoryRelyingParty)
	base := e.srv.URL
	useScreen(t, ctx, phone)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)

	run(t, ctx, "a local user without a password", chromedp.Navigate(base+"/local-users"), chromedp.WaitVisible(chromedp.ID("#lu-userId")),
		chromedp.SendKeys(chromedp.ID("#lu-userId"), "kiosk"),
		chromedp.SendKeys(chromedp.ID("#lu-displayName"), "Front desk kiosk"),
		chromedp.Click(chromedp.ID("#add-local-user")), chromedp.WaitVisible(chromedp.ID("#form-error")))
	if f := eval[string](t, ctx, `document.activeElement.id`); f != "lu-password" {
		t.Fatalf("focus on %q after the failed submit, want the password", f)
	}
	if v := get(t, ctx, "kept", chromedp.Value(chromedp.ID("#lu-displayName"))); v != "Front desk kiosk" {
		t.Fatalf("display name after the error: %q", v)
	}
	look(t, ctx, "c01-local-user-error")
	useScreen(t, ctx, phone)
	run(t, ctx, "with a password", chromedp.SendKeys(chromedp.ID("#lu-password"), operatorPassword),
		chromedp.Click(chromedp.ID("#add-local-user")), chromedp.WaitVisible(chromedp.CSS(`tr[data-user="kiosk"]`)))
	run(t, ctx, "deactivate", chromedp.Click(chromedp.CSS(`tr[data-user="kiosk"] input[name="inactive"]`)),
		chromedp.Click(chromedp.CSS(`tr[data-user="kiosk"] button[type="submit"]`)))
	waitFor(t, ctx, `document.readyState === "complete" && (document.querySelector(".alert.ok") || {}).textContent === "Local user kiosk saved."`)
	users, err := e.app.ListLocalUsers(t.Context())
	if err != nil || len(users) != 1 || users[0].Status != store.StatusInactive || users[0].Fields["displayName"] != "Front desk kiosk" {
		t.Fatalf("local users = %+v, %v; want kiosk deactivated with its name", users, err)
	}
	look(t, ctx, "c02-local-users")

	useScreen(t, ctx, phone)
	run(t, ctx, "a token with a bad lifetime", chromedp.Navigate(base+"/tokens"), chromedp.WaitVisible(chromedp.ID("#tok-name")),
		chromedp.SendKeys(chromedp.ID("#tok-name"), "backup"),
		chromedp.SetValue(chromedp.ID("#tok-days"), "999"),
		chromedp.Click(chromedp.ID("#create-token")), chromedp.WaitVisible(chromedp.ID("#form-error")))
	if f := eval[string](t, ctx, `document.activeElement.id`); f != "tok-days" {
		t.Fatalf("focus on %q, want the lifetime", f)
	}
	run(t, ctx, "a good token", chromedp.SetValue(chromedp.ID("#tok-days"), "30"),
		chromedp.Click(chromedp.ID("#create-token")), chromedp.WaitVisible(chromedp.ID("#token-value")))
	tok := get(t, ctx, "token", chromedp.Value(chromedp.ID("#token-value")))
	if !strings.HasPrefix(tok, "ust_") {
		t.Fatalf("token shown: %q", tok)
	}
	look(t, ctx, "c03-token-created")
	if code, _ := e.anonymous().call("GET", "/api/v1/runs", "", "", map[string]string{"Authorization": "Bearer " + tok}); code != 200 {
		t.Fatalf("the new token: %d", code)
	}
	run(t, ctx, "reload", chromedp.Navigate(base+"/tokens"), chromedp.WaitVisible(chromedp.CSS(`tr[data-name="backup"]`)))
	if page := get(t, ctx, "page", chromedp.OuterHTML(chromedp.CSS("html"))); strings.Contains(page, tok) {
		t.Fatal("the token is shown a second time")
	}
	run(t, ctx, "revoke", chromedp.Click(chromedp.CSS(`tr[data-name="backup"] button`)))
	waitFor(t, ctx, `document.readyState === "complete" && !!document.querySelector(".alert.ok")`)
	if code, _ := e.anonymous().call("GET", "/api/v1/runs", "", "", map[string]string{"Authorization": "Bearer " + tok}); code != 401 {
		t.Fatalf("the revoked token: %d, want 401", code)
	}

	useScreen(t, ctx, phone)
	run(t, ctx, "a certificate that is not one", chromedp.Navigate(base+"/certificates"), chromedp.WaitVisible(chromedp.ID("#cert-user")),
		chromedp.SendKeys(chromedp.ID("#cert-user"), "zoe.weber"),
		chromedp.SetValue(chromedp.ID("#cert-pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"),
		chromedp.Click(chromedp.ID("#enrol-button")), chromedp.WaitVisible(chromedp.ID("#form-error")))
	if f := eval[string](t, ctx, `document.activeElement.id`); f != "cert-pem" {
		t.Fatalf("focus on %q, want the certificate", f)
	}
	if v := get(t, ctx, "user kept", chromedp.Value(chromedp.ID("#cert-user"))); v != "zoe.weber" {
		t.Fatalf("user after the error: %q", v)
	}
	look(t, ctx, "c04-certificate-error")

	all := auditOf(t, e.login(), "?limit=100")
	var actions []string
	for _, ev := range all.Events {
		actions = append(actions, ev.Action)
	}
	for _, want := range []string{"localuser.create", "localuser.update", "token.create", "token.revoke"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit log %v lacks %s", actions, want)
		}
	}
}
