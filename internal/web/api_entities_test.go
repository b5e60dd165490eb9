package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
)

func TestEntitiesAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	for _, k := range entityKinds {
		base := "/api/v1/" + k.Path
		if code, body := c.api("GET", base, ""); code != 200 || strings.TrimSpace(body) != "[]" {
			t.Fatalf("%s: empty list: %d %s", k.Path, code, body)
		}
		if code, body := c.api("POST", base, `{"name":"Finance"}`); code != 201 || !strings.Contains(body, `"kind": "`+k.Kind+`"`) {
			t.Fatalf("%s: create: %d %s", k.Path, code, body)
		}
		if code, _ := c.api("POST", base, `{"name":"Finance"}`); code != 409 {
			t.Fatalf("%s: duplicate: %d", k.Path, code)
		}
		if code, body := c.api("POST", base, `{"name":" padded"}`); code != 400 || !strings.Contains(body, `"field": "name"`) {
			t.Fatalf("%s: blank-padded name: %d %s", k.Path, code, body)
		}
		if code, body := c.api("GET", base, ""); code != 200 || !strings.Contains(body, `"name": "Finance"`) {
			t.Fatalf("%s: list: %d %s", k.Path, code, body)
		}
	}
	if code, _ := c.api("DELETE", "/api/v1/groups/Finance", ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ := c.api("DELETE", "/api/v1/groups/Finance", ""); code != 404 {
		t.Fatalf("delete again: %d", code)
	}
	// The other kinds keep their Finance.
	if _, body := c.api("GET", "/api/v1/sites", ""); !strings.Contains(body, "Finance") {
		t.Fatalf("deleting a group removed a site: %s", body)
	}
}

func TestMembershipsAPIAndPage(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	u, err := e.app.AddLocalUser(t.Context(), app.LocalUser{UserID: "ops@example.com", Password: "Local-User-Secret-77"})
	if err != nil {
		t.Fatal(err)
	}
	id := itoa64(u.ID)
	c.api("POST", "/api/v1/sites", `{"name":"Berlin"}`)
	if code, body := c.api("POST", "/api/v1/users/"+id+"/assign", `{"kind":"site","name":"Berlin"}`); code != 200 || !strings.Contains(body, `"source": "manual"`) {
		t.Fatalf("assign: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/users/"+id+"/assign", `{"kind":"site","name":"Paris"}`); code != 404 {
		t.Fatalf("assign to a missing site: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/users/"+id+"/assign", `{"kind":"planet","name":"Mars"}`); code != 400 || !strings.Contains(body, `"field": "kind"`) {
		t.Fatalf("assign to a bad kind: %d %s", code, body)
	}
	if code, _ := c.api("POST", "/api/v1/users/999/assign", `{"kind":"site","name":"Berlin"}`); code != 404 {
		t.Fatalf("assign a missing user: %d", code)
	}
	if code, body := c.api("GET", "/api/v1/users/"+id, ""); code != 200 || !strings.Contains(body, `"name": "Berlin"`) {
		t.Fatalf("user detail: %d %s", code, body)
	}
	page := c.get("/users/"+id, 200)
	if !strings.Contains(page, "Berlin") || !strings.Contains(page, "assigned by hand") {
		t.Fatalf("user page lacks the membership:\n%s", page)
	}
	if code, body := c.api("POST", "/api/v1/users/"+id+"/unassign", `{"kind":"site","name":"Berlin"}`); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("unassign: %d %s", code, body)
	}
	if code, _ := c.api("POST", "/api/v1/users/"+id+"/unassign", `{"kind":"site","name":"Berlin"}`); code != 404 {
		t.Fatalf("unassign again: %d", code)
	}

	// The forms: add an entity, assign and unassign by hand, remove it.
	if code, _ := c.form("/entities", url.Values{"kind": {"permissionSet"}, "name": {"Auditors"}}); code != 303 {
		t.Fatalf("add form: %d", code)
	}
	if code, body := c.form("/entities", url.Values{"kind": {"permissionSet"}, "name": {"Auditors"}}); code != 409 || !strings.Contains(body, "Permission set &#34;Auditors&#34; already exists.") {
		t.Fatalf("add form again: %d", code)
	}
	if page := c.get("/entities", 200); !strings.Contains(page, "Auditors") {
		t.Fatalf("entities page:\n%s", page)
	}
	if code, _ := c.form("/users/"+id+"/memberships", url.Values{"op": {"assign"}, "entity": {"permissionSet/Auditors"}}); code != 303 {
		t.Fatalf("assign form: %d", code)
	}
	if page := c.get("/users/"+id, 200); !strings.Contains(page, "Auditors") || !strings.Contains(page, "Unassign") {
		t.Fatalf("user page after assign:\n%s", page)
	}
	if code, _ := c.form("/users/"+id+"/memberships", url.Values{"op": {"unassign"}, "kind": {"permissionSet"}, "name": {"Auditors"}}); code != 303 {
		t.Fatalf("unassign form: %d", code)
	}
	if code, _ := c.form("/entities/delete", url.Values{"kind": {"permissionSet"}, "name": {"Auditors"}}); code != 303 {
		t.Fatalf("remove form: %d", code)
	}
	if page := c.get("/entities", 200); strings.Contains(page, "Auditors") {
		t.Fatal("removed entity still listed")
	}
}
