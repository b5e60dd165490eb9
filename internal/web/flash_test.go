package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// phish is text an attacker puts in a link to have it shown inside the
// application's own alert boxes.
const phish = "Your session expired: call 0800-PHISH now"

// TestReflectedTextNotShown: no page shows text given in a query parameter
// inside its alerts; flash messages are kept server-side and looked up by
// id, and only by the session they were made for.
func TestReflectedTextNotShown(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "contoso", connection.DirectorySource)
	rep, err := e.app.Sync(context.Background(), "contoso", app.SyncOptions{Trigger: store.TriggerManual})
	if err != nil {
		t.Fatal(err)
	}
	users, err := e.app.Store.ListUsers(context.Background(), store.UserQuery{Limit: 1})
	if err != nil || len(users) == 0 {
		t.Fatalf("no user after the sync: %v", err)
	}
	run, user := "/runs/"+strconv.FormatInt(rep.ID, 10), "/users/"+strconv.FormatInt(users[0].ID, 10)
	c := e.login()
	q := url.QueryEscape(phish)
	for _, path := range []string{
		"/connections?added=" + q, "/connections?deleted=" + q, "/entities?done=" + q, "/entities?error=" + q,
		"/schedules?done=" + q, "/schedules?error=" + q, run + "?decided=" + q, run + "?error=" + q,
		user + "?error=" + q, "/account?flash=" + q, "/connections/contoso?flash=" + q,
		"/?flash=" + q, "/runs?error=" + q, "/users?error=" + q,
	} {
		t.Run(path, func(t *testing.T) {
			body := c.get(path, http.StatusOK)
			if strings.Contains(body, "0800-PHISH") {
				t.Fatalf("%s shows the text of its query:\n%s", path, body)
			}
		})
	}

	t.Run("a flash is shown to its own session only", func(t *testing.T) {
		v := url.Values{"kind": {"site"}, "name": {"Berlin"}, csrfField: {c.csrf}}
		resp := c.do("POST", "/entities", "application/x-www-form-urlencoded", v.Encode(), nil)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/entities?flash=") {
			t.Fatalf("add a site: %d, Location %q", resp.StatusCode, loc)
		}
		if body := c.get(loc, http.StatusOK); !strings.Contains(body, "Berlin added.") {
			t.Fatalf("the flash is not shown:\n%s", body)
		}
		if body := e.login().get(loc, http.StatusOK); strings.Contains(body, "Berlin added.") {
			t.Fatal("another session sees the flash")
		}
	})
}

// TestKeptValuesBounded: kept values are given only to their owner, and
// their number is bounded: beyond it the oldest go first.
func TestKeptValuesBounded(t *testing.T) {
	k := newKeptValues()
	first := k.put(keptEntry{owner: "a", secret: "s0"})
	if _, ok := k.get("b", first); ok {
		t.Fatal("another owner got the value")
	}
	if _, ok := k.get("", first); ok {
		t.Fatal("no owner got the value")
	}
	var last string
	for i := range maxKept {
		last = k.put(keptEntry{owner: "a", secret: strconv.Itoa(i)})
	}
	if _, ok := k.get("a", first); ok {
		t.Fatal("the oldest value outlived the bound")
	}
	if e, ok := k.get("a", last); !ok || e.secret != strconv.Itoa(maxKept-1) {
		t.Fatalf("the newest value: %+v %v", e, ok)
	}
	if n := len(k.byID); n > maxKept {
		t.Fatalf("%d values kept, more than %d", n, maxKept)
	}
	if _, ok := k.take("a", last); !ok {
		t.Fatal("take")
	}
	if _, ok := k.get("a", last); ok {
		t.Fatal("a taken value is still there")
	}
}
