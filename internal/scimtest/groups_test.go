package scimtest

import (
	"context"
	"sort"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// memberships lists the entity names a user holds by the connection's
// group rules.
func memberships(t *testing.T, s *Server, userID string) []string {
	t.Helper()
	u, ok := appUser(t, s, userID)
	if !ok {
		t.Fatalf("no application user for %s", userID)
	}
	ms, err := s.App.Store.UserMemberships(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.Source == store.RuleSource(s.Conn) {
			out = append(out, m.Name)
		}
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGroupsThroughGroupRules replays Microsoft's group operations: create
// (an extra ADSCIM schema URI, no members), get and query by displayName
// with excludedAttributes=members, add members (with "$ref": null),
// remove members listed in the value (only those go), remove by
// members[value eq "..."], rename, delete. PATCH answers 204. Members of a
// group get the application entity of the same name through the group
// rules, as a directory group would give it.
func TestGroupsThroughGroupRules(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		ctx := context.Background()
		for _, name := range []string{"Sales", "Sales EMEA"} {
			if _, err := s.App.Store.CreateEntity(ctx, store.KindGroup, name); err != nil {
				t.Fatal(err)
			}
		}
		a := create(t, s, "a@contoso.com", "a@contoso.com")
		b := create(t, s, "b@contoso.com", "b@contoso.com")
		c := create(t, s, "c@contoso.com", "c@contoso.com")

		r := s.Do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
			"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"Sales","meta":{"resourceType":"Group"}}`)
		mustStatus(t, r, 201)
		gid := r.JSON["id"].(string)
		if m, ok := r.JSON["members"].([]any); !ok || len(m) != 0 {
			t.Fatalf("created group %s, want an empty members list", r.Raw)
		}
		scimError(t, s.Do("POST", "/Groups", `{"displayName":"sales"}`), 409, "uniqueness")

		patch := func(body string) {
			t.Helper()
			r := s.Do("PATCH", "/Groups/"+gid, body)
			mustStatus(t, r, 204)
			if len(r.Raw) != 0 {
				t.Fatalf("a group PATCH answered a body: %s", r.Raw)
			}
		}
		patch(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members",
			"value":[{"$ref":null,"value":"` + a + `"},{"$ref":null,"value":"` + b + `"},{"$ref":null,"value":"` + c + `"}]}]}`)
		for _, id := range []string{a, b, c} {
			if got := memberships(t, s, id); !equal(got, []string{"Sales"}) {
				t.Fatalf("after add, user %s holds %v", id, got)
			}
		}
		got := s.Do("GET", "/Groups/"+gid+"?excludedAttributes=members", "")
		if _, has := got.JSON["members"]; has || got.JSON["displayName"] != "Sales" {
			t.Fatalf("excludedAttributes=members: %s", got.Raw)
		}
		list := s.Do("GET", `/Groups?excludedAttributes=members&filter=`+"displayName%20eq%20%22Sales%22", "")
		if list.JSON["totalResults"] != float64(1) {
			t.Fatalf("query by displayName: %s", list.Raw)
		}

		// Entra's default form: Remove with the members in value removes
		// only those.
		patch(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"` + a + `"}]}]}`)
		if got := memberships(t, s, a); len(got) != 0 {
			t.Fatalf("removed member a still holds %v", got)
		}
		if got := memberships(t, s, b); !equal(got, []string{"Sales"}) {
			t.Fatalf("member b lost its membership with a's removal: %v", got)
		}
		// aadOptscim062020: a filter in the path.
		patch(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"` + b + `\"]"}]}`)
		if got := memberships(t, s, b); len(got) != 0 {
			t.Fatalf("member b removed by filter still holds %v", got)
		}
		if got := memberships(t, s, c); !equal(got, []string{"Sales"}) {
			t.Fatalf("member c: %v", got)
		}
		// A rename moves the members to the entity of the new name.
		patch(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Sales EMEA"}]}`)
		if got := memberships(t, s, c); !equal(got, []string{"Sales EMEA"}) {
			t.Fatalf("after the rename c holds %v", got)
		}
		mustStatus(t, s.Do("DELETE", "/Groups/"+gid, ""), 204)
		if got := memberships(t, s, c); len(got) != 0 {
			t.Fatalf("after the group's deletion c holds %v", got)
		}
		scimError(t, s.Do("GET", "/Groups/"+gid, ""), 404, "")
	})
}
