package scimtest

import (
	"net/url"
	"strings"
	"testing"
)

// TestMemberDisplayKept: Microsoft's collection adds a member as
// {"displayName": "new User", "value": id} and then expects the group it
// reads back to name "new User"; RFC 7643 calls that sub-attribute
// "display", so the member keeps it there, and a remove takes it away.
func TestMemberDisplayKept(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		uid := create(t, s, "member@example.com", "m@example.com")
		g := s.Do("POST", "/Groups", `{"displayName":"Display Group","members":[]}`)
		mustStatus(t, g, 201)
		gid := g.JSON["id"].(string)
		add := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"name":"addMember","op":"add","path":"members",
			"value":[{"displayName":"new User","value":"` + uid + `"}]}]}`
		mustStatus(t, s.Do("PATCH", "/Groups/"+gid, add), 204)
		got := s.Do("GET", "/Groups/"+gid, "")
		mustStatus(t, got, 200)
		members, _ := got.JSON["members"].([]any)
		if len(members) != 1 || members[0].(map[string]any)["display"] != "new User" || members[0].(map[string]any)["value"] != uid {
			t.Fatalf("members after adding one with a displayName: %s", got.Raw)
		}
		// Both spellings at once are one member with one display, the
		// standard one winning.
		both := s.Do("POST", "/Groups", `{"displayName":"Both","members":[{"value":"`+uid+`","display":"std","displayName":"alias"}]}`)
		mustStatus(t, both, 201)
		if m := both.JSON["members"].([]any)[0].(map[string]any); m["display"] != "std" || m["displayName"] != nil {
			t.Fatalf("member with display and displayName: %s", both.Raw)
		}
		mustStatus(t, s.Do("PATCH", "/Groups/"+gid, `{"Operations":[{"op":"remove","path":"members"}]}`), 204)
		if got := s.Do("GET", "/Groups/"+gid, ""); strings.Contains(string(got.Raw), "new User") {
			t.Fatalf("after removing every member: %s", got.Raw)
		}
	})
}

// TestPutIgnoresUnknownAttributes: a PUT replaces the whole resource, and
// the attributes usersync does not know are left out of it (and named in
// the Warning header) rather than refusing the request; a POST or PATCH
// naming one is still a 400 that changes nothing.
func TestPutIgnoresUnknownAttributes(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		id := create(t, s, "OMalley", "omalley@example.com")
		r := s.Do("PUT", "/Users/"+id, `{"id":"`+id+`","userName":"OMalley","active":false,
			"adreses":[{"country":"Germany","type":"work"}],"emails":[{"type":"work","value":"o2@example.com"}]}`)
		mustStatus(t, r, 200)
		if strings.Contains(string(r.Raw), "adreses") || strings.Contains(string(r.Raw), "Germany") {
			t.Fatalf("the unknown attribute came back: %s", r.Raw)
		}
		if w := r.Header.Get("Warning"); !strings.Contains(w, "adreses") {
			t.Fatalf("Warning header %q does not name the ignored attribute", w)
		}
		if r.JSON["active"] != false {
			t.Fatalf("the known attributes of the PUT were not applied: %s", r.Raw)
		}
		before := s.Do("GET", "/Users/"+id, "")
		for _, tc := range []struct{ method, path, body, scimType string }{
			{"POST", "/Users", `{"userName":"typo@example.com","adreses":[{"country":"Germany"}]}`, "invalidValue"},
			{"PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","path":"adreses","value":"x"}]}`, "invalidPath"},
			{"PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","value":{"adreses":"x","title":"changed"}}]}`, "invalidPath"},
			{"PUT", "/Users/" + id, `{"userName":"OMalley","active":"maybe","adreses":"x"}`, "invalidValue"},
		} {
			r := s.Do(tc.method, tc.path, tc.body)
			scimError(t, r, 400, tc.scimType)
			if d, _ := r.JSON["detail"].(string); tc.method != "PUT" && !strings.Contains(d, "adreses") {
				t.Errorf("%s %s: the error %q does not name the attribute", tc.method, tc.path, d)
			}
		}
		after := s.Do("GET", "/Users/"+id, "")
		if string(before.Raw) != string(after.Raw) {
			t.Fatalf("a refused request changed the user:\n%s\n%s", before.Raw, after.Raw)
		}
		if list := s.Do("GET", "/Users?filter="+url.QueryEscape(`userName eq "typo@example.com"`), ""); list.JSON["totalResults"] != float64(0) {
			t.Fatalf("a refused POST created a user: %s", list.Raw)
		}
	})
}

// TestPatchStatus: RFC 7644 section 3.5.2 lets a successful PATCH answer
// 204 No Content, and requires 200 with the resource when the request has
// an "attributes" parameter; usersync answers 204 unless it is asked.
func TestPatchStatus(t *testing.T) {
	s := Start(t, "", Options{})
	id := create(t, s, "status@example.com", "s@example.com")
	r := s.Do("PATCH", "/Users/"+id, `{"Operations":[{"op":"Replace","path":"userName","value":"newusername"}]}`)
	mustStatus(t, r, 204)
	if len(r.Raw) != 0 {
		t.Fatalf("a 204 with a body: %s", r.Raw)
	}
	r = s.Do("PATCH", "/Users/"+id+"?attributes=title", `{"Operations":[{"op":"Replace","path":"title","value":"Boss"}]}`)
	mustStatus(t, r, 200)
	if r.JSON["title"] != "Boss" || r.JSON["userName"] != nil || r.JSON["id"] != id {
		t.Fatalf("PATCH ?attributes=title: %s", r.Raw)
	}
	g := s.Do("POST", "/Groups", `{"displayName":"Status Group"}`)
	gid := g.JSON["id"].(string)
	r = s.Do("PATCH", "/Groups/"+gid+"?attributes=members", `{"Operations":[{"op":"add","path":"members","value":[{"value":"`+id+`"}]}]}`)
	mustStatus(t, r, 200)
	if m, _ := r.JSON["members"].([]any); len(m) != 1 {
		t.Fatalf("group PATCH ?attributes=members: %s", r.Raw)
	}
}
