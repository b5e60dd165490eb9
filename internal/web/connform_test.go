package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
)

// TestPasswordKeptForRetry: a password typed into Edit Directory before a
// validation error is kept server-side for the retry, never put in the
// page, used only by the session that typed it, and saved by the retry.
func TestPasswordKeptForRetry(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "contoso", connection.DirectorySource)
	ctx := context.Background()
	const typed = "Typed-Before-The-Error-42"
	admin, other := e.login(), e.login()

	code, body := admin.form("/connections/contoso", url.Values{"searchFilter": {"(objectClass=user"}, "password": {typed}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="password-kept"`) {
		t.Fatalf("invalid filter: %d\n%s", code, body)
	}
	if strings.Contains(body, typed) {
		t.Fatal("the password is echoed into the page")
	}
	kept := regexp1(`name="passwordKept" value="([^"]+)"`, body)
	if kept == "" {
		t.Fatalf("no kept password id in the page:\n%s", body)
	}

	// Another session cannot use the id: its save keeps the stored password.
	if code, _ := other.form("/connections/contoso", url.Values{"searchFilter": {"(objectClass=user)"}, "passwordKept": {kept}}); code != http.StatusSeeOther {
		t.Fatalf("other session's update: %d", code)
	}
	if _, err := e.app.CheckConnection(ctx, "contoso"); err != nil {
		t.Fatalf("another session's save changed the password: %v", err)
	}

	if _, ok := e.web.kept.get(sessionOwnerOf(t, e, admin), kept); !ok {
		t.Fatal("the password is not kept for the session that typed it")
	}
	// The retry with only the filter fixed saves the password typed before.
	if code, _ := admin.form("/connections/contoso", url.Values{"searchFilter": {"(objectClass=user)"}, "passwordKept": {kept}}); code != http.StatusSeeOther {
		t.Fatalf("retry: %d", code)
	}
	if _, err := e.app.CheckConnection(ctx, "contoso"); err == nil || !strings.Contains(err.Error(), "invalid credentials") {
		t.Fatalf("the retry did not save the password typed before the error: %v", err)
	}
	// Once saved, the kept password is forgotten.
	if _, ok := e.web.kept.get(sessionOwnerOf(t, e, admin), kept); ok {
		t.Fatal("the kept password outlives the save")
	}
}

// sessionOwnerOf returns the key kept values of c's session are stored
// under.
func sessionOwnerOf(t *testing.T, e *testEnv, c *client) string {
	t.Helper()
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return hashToken(ck.Value)
		}
	}
	t.Fatal("no session cookie")
	return ""
}
