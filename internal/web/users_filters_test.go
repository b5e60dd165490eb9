package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// TestUsersPageCountsFiltersAndLabels: the Users page shows the total,
// filters by connection and status (kept when paging), and the user page
// names fields in words and shows the super-user flag.
func TestUsersPageCountsFiltersAndLabels(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	if _, err := e.app.Sync(t.Context(), "corp", app.SyncOptions{Trigger: store.TriggerManual}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.AddLocalUser(t.Context(), app.LocalUser{UserID: "kiosk", Password: operatorPassword}); err != nil {
		t.Fatal(err)
	}
	c := e.login()
	all, _ := e.app.Store.CountUsers(t.Context(), "")
	page := c.get("/users", http.StatusOK)
	if !strings.Contains(page, "of "+itoa(all)+" ·") {
		t.Fatalf("no total of %d:\n%s", all, page)
	}
	page = c.get("/users?connection=corp&status=active", http.StatusOK)
	if strings.Contains(page, ">kiosk<") || !strings.Contains(page, `<option value="corp" selected>`) || !strings.Contains(page, "connection=corp&amp;status=active&amp;sort=&amp;page=2") {
		t.Fatalf("filtered by connection corp:\n%s", page)
	}
	page = c.get("/users?status=inactive", http.StatusOK)
	if !strings.Contains(page, "No users") {
		t.Fatalf("no inactive user, but:\n%s", page)
	}
	users, _ := e.app.Store.ListUsers(t.Context(), store.UserQuery{Connection: "corp", Limit: 1})
	page = c.get("/users/"+itoa(int(users[0].ID)), http.StatusOK)
	if !strings.Contains(page, "Display name <code") || !strings.Contains(page, `id="super-user">no`) {
		t.Fatalf("user page:\n%s", page)
	}
	for _, tc := range [][2]string{{"telephoneNumber", "Telephone number"}, {"costCenter", "Cost center"}, {"x", "X"}, {"", ""}} {
		if got := fieldLabel(tc[0]); got != tc[1] {
			t.Errorf("fieldLabel(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}

// TestUsersSorted: the users' list sorts by user ID, by last update or by
// status, in the UI and the API; an unknown order is refused naming sort.
func TestUsersSorted(t *testing.T) {
	e := newTestEnv(t)
	for _, id := range []string{"carol", "Alice", "bob"} {
		if _, err := e.app.AddLocalUser(t.Context(), app.LocalUser{UserID: id, Password: operatorPassword}); err != nil {
			t.Fatal(err)
		}
	}
	c := e.login()
	page := c.get("/users?sort=userId", http.StatusOK)
	if a, b, cc := strings.Index(page, ">Alice<"), strings.Index(page, ">bob<"), strings.Index(page, ">carol<"); !(a < b && b < cc) || a < 0 {
		t.Fatalf("sorted by user ID: %d %d %d", a, b, cc)
	}
	code, body := c.api("GET", "/api/v1/users?sort=updated", "")
	if code != http.StatusOK || !(strings.Index(body, `"bob"`) < strings.Index(body, `"Alice"`)) {
		t.Fatalf("API sorted by update: %d %s", code, body)
	}
	if code, body := c.api("GET", "/api/v1/users?sort=password", ""); code != http.StatusBadRequest || !strings.Contains(body, `"field": "sort"`) {
		t.Fatalf("unknown order: %d %s", code, body)
	}
}
