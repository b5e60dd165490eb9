package scimtest

import (
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// TestOktaForms: Okta deactivates with a replace whose value is
// {"active": false} and no path, and updates users with PUT; groups get
// their members replaced whole.
func TestOktaForms(t *testing.T) {
	s := Start(t, "", Options{})
	id := create(t, s, "okta@example.com", "o@example.com")
	mustStatus(t, s.Do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","value":{"active":false}}]}`), 204)
	if u, _ := appUser(t, s, id); u.Status != store.StatusInactive {
		t.Fatalf("after Okta's deactivation the user is %s", u.Status)
	}
	r := s.Do("PUT", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"okta@example.com",
		"name":{"givenName":"Okta","familyName":"User"},"emails":[{"primary":true,"value":"o2@example.com","type":"work"}],"active":true}`)
	mustStatus(t, r, 200)
	if u, _ := appUser(t, s, id); u.Status != store.StatusActive || u.Fields["email"] != "o2@example.com" {
		t.Fatalf("after Okta's PUT: %+v", u)
	}
	g := s.Do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Okta Group","members":[]}`)
	mustStatus(t, g, 201)
	gid := g.JSON["id"].(string)
	mustStatus(t, s.Do("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","path":"members","value":[{"value":"`+id+`","display":"okta@example.com"}]}]}`), 204)
	got := s.Do("GET", "/Groups/"+gid, "")
	if m, _ := got.JSON["members"].([]any); len(m) != 1 {
		t.Fatalf("members %s", got.Raw)
	}
}
