package scimtest

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

func create(t *testing.T, s *Server, user, mail string) string {
	t.Helper()
	r := s.Do("POST", "/Users", createBody(user, mail))
	mustStatus(t, r, 201)
	return r.JSON["id"].(string)
}

// TestPatchEntraForms replays the PATCH bodies of Microsoft's SCIM pages,
// in the default form (title-case ops) and in the aadOptscim062020 form
// (replace without a path, dotted keys), and checks the application user
// each leaves.
func TestPatchEntraForms(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		for _, tc := range []struct {
			name   string
			body   string
			fields map[string]string
			userID string
		}{
			{"multi-valued, title case", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
				{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`,
				map[string]string{"email": "updatedEmail@microsoft.com", "lastName": "updatedFamilyName"}, ""},
			{"single-valued userName", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"userName","value":"renamed@testuser.com"}]}`, nil, "renamed@testuser.com"},
			{"add a single-value string, title case", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Add","path":"title","value":"Babs"}]}`, map[string]string{"title": "Babs"}, ""},
			{"replace several, default form", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"displayName","value":"Pvlo"},
				{"op":"Replace","path":"emails[type eq \"work\"].value","value":"TestBcwqnm@test.microsoft.com"},
				{"op":"Replace","path":"name.givenName","value":"Gtfd"},
				{"op":"Replace","path":"name.familyName","value":"Pkqf"},
				{"op":"Replace","path":"externalId","value":"Eqpj"},
				{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj"}]}`,
				map[string]string{"displayName": "Pvlo", "email": "TestBcwqnm@test.microsoft.com", "firstName": "Gtfd", "lastName": "Pkqf", "employeeId": "Eqpj"}, ""},
			{"replace several, aadOptscim062020 form", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
				{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
				 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}`,
				map[string]string{"displayName": "Bjfe", "email": "TestMhvaes@test.microsoft.com", "firstName": "Kkom", "lastName": "Unua", "employeeId": "Aklq"}, ""},
			{"department through the enterprise path", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}]}`,
				map[string]string{"department": "Sales"}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := create(t, s, "p-"+tc.name+"@testuser.com", "orig@testuser.com")
				r := s.Do("PATCH", "/Users/"+id, tc.body)
				mustStatus(t, r, 204)
				u, ok := appUser(t, s, id)
				if !ok {
					t.Fatal("no application user")
				}
				for f, want := range tc.fields {
					if u.Fields[f] != want {
						t.Errorf("field %s = %q, want %q (user %+v)", f, u.Fields[f], want, u.Fields)
					}
				}
				if tc.userID != "" && u.UserID != tc.userID {
					t.Errorf("userId %q, want %q", u.UserID, tc.userID)
				}
			})
		}
	})
}

// TestManagerQuirks: Entra adds the manager as a one-element list of
// {$ref, value}, or replaces it as a bare string on the enterprise path,
// and then queries "id eq ... and manager eq ...".
func TestManagerQuirks(t *testing.T) {
	s := Start(t, "", Options{})
	boss := create(t, s, "boss@testuser.com", "boss@testuser.com")
	id := create(t, s, "worker@testuser.com", "worker@testuser.com")
	for _, body := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"http://x/scim/Users/` + boss + `","value":"` + boss + `"}]}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"` + boss + `"}]}`,
	} {
		// The attributes parameter asks for the resource in the answer.
		r := s.Do("PATCH", "/Users/"+id+"?attributes="+url.QueryEscape("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"), body)
		mustStatus(t, r, 200)
		ext, _ := r.JSON["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
		mgr, _ := ext["manager"].(map[string]any)
		if mgr["value"] != boss {
			t.Fatalf("manager %v, want %s; body %s", ext["manager"], boss, r.Raw)
		}
		found := s.Do("GET", q(`id eq "`+id+`" and manager eq "`+boss+`"`), "")
		if found.JSON["totalResults"] != float64(1) {
			t.Fatalf("manager query: %s", found.Raw)
		}
	}
}

// TestCreateWithNullsAndMisspelledURN is Microsoft's "Provision a user"
// example: the enterprise URN without its last colon, and explicit nulls
// (some of them enterprise attributes at the top level).
func TestCreateWithNullsAndMisspelledURN(t *testing.T) {
	s := Start(t, "", Options{})
	r := s.Do("POST", "/Users", `{
   "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
   "externalId":"jyoung", "userName":"jyoung@testuser.com", "active":true, "addresses":null, "displayName":"Joy Young",
   "emails": [{"type":"work", "value":"jyoung@Contoso.com", "primary":true}],
   "meta": {"resourceType":"User"}, "name":{"familyName":"Young", "givenName":"Joy"},
   "phoneNumbers":null, "preferredLanguage":null, "title":null, "department":null, "manager":null}`)
	mustStatus(t, r, 201)
	for _, k := range []string{"addresses", "phoneNumbers", "title", "department", "manager"} {
		if _, ok := r.JSON[k]; ok {
			t.Errorf("a null %s came back as %v", k, r.JSON[k])
		}
	}
	u, _ := appUser(t, s, r.JSON["id"].(string))
	if u.UserID != "jyoung@testuser.com" || u.Fields["displayName"] != "Joy Young" || u.Fields["email"] != "jyoung@Contoso.com" {
		t.Fatalf("user %+v", u)
	}
}

// TestSoftDeleteAndRestore: Entra disables a user with active "False" (a
// string, default form) or false (aadOptscim062020); the user is
// deactivated, still returned, and restored by active true.
func TestSoftDeleteAndRestore(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		for i, off := range []string{`"False"`, `false`} {
			id := create(t, s, fmt.Sprintf("soft%d@testuser.com", i), "s@testuser.com")
			r := s.Do("PATCH", "/Users/"+id+"?attributes=active", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":`+off+`}]}`)
			mustStatus(t, r, 200)
			if r.JSON["active"] != false {
				t.Fatalf("active %v after %s", r.JSON["active"], off)
			}
			if u, _ := appUser(t, s, id); u.Status != store.StatusInactive {
				t.Fatalf("after active %s the user is %s", off, u.Status)
			}
			mustStatus(t, s.Do("GET", "/Users/"+id, ""), 200)
			r = s.Do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":true}]}`)
			mustStatus(t, r, 204)
			if u, _ := appUser(t, s, id); u.Status != store.StatusActive {
				t.Fatalf("after active true the user is %s", u.Status)
			}
		}
	})
}

// TestDeleteFollowsLeavePolicy: DELETE answers 204, the resource is gone
// (404), and the application user gets the connection's leave policy.
func TestDeleteFollowsLeavePolicy(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		for _, tc := range []struct {
			doc  string
			gone bool
		}{
			{``, false},
			{`{"leavePolicy":{"action":"delete"}}`, true},
		} {
			s := Start(t, db(t), Options{Doc: tc.doc})
			id := create(t, s, "leaver@testuser.com", "l@testuser.com")
			r := s.Do("DELETE", "/Users/"+id, "")
			mustStatus(t, r, 204)
			scimError(t, s.Do("GET", "/Users/"+id, ""), 404, "")
			scimError(t, s.Do("DELETE", "/Users/"+id, ""), 404, "")
			u, ok := appUser(t, s, id)
			switch {
			case tc.gone && ok:
				t.Errorf("leave policy delete: the user is still there (%s)", u.Status)
			case !tc.gone && (!ok || u.Status != store.StatusInactive):
				t.Errorf("leave policy deactivate: user %+v (found %v)", u, ok)
			}
			runs, _ := s.App.Store.ListRuns(context.Background(), store.RunQuery{Connection: s.Conn})
			// The create and the delete came within a minute: one run.
			if len(runs) != 1 || runs[0].Created != 1 || runs[0].Deactivated+runs[0].Deleted != 1 {
				t.Errorf("runs %+v", runs)
			}
		}
	})
}

func TestPatchErrors(t *testing.T) {
	s := Start(t, "", Options{})
	id := create(t, s, "err@testuser.com", "e@testuser.com")
	other := create(t, s, "other@testuser.com", "o@testuser.com")
	for _, tc := range []struct {
		name, body, scimType string
		status               int
	}{
		{"unknown path", `{"Operations":[{"op":"replace","path":"shoeSize","value":"44"}]}`, "invalidPath", 400},
		{"bad path", `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, "invalidPath", 400},
		{"remove without path", `{"Operations":[{"op":"remove"}]}`, "noTarget", 400},
		{"unknown op", `{"Operations":[{"op":"move","path":"title","value":"x"}]}`, "invalidSyntax", 400},
		{"no operations", `{"Operations":[]}`, "invalidSyntax", 400},
		{"wrong type", `{"Operations":[{"op":"replace","path":"active","value":"perhaps"}]}`, "invalidValue", 400},
		{"unknown key without path", `{"Operations":[{"op":"replace","value":{"shoeSize":"44"}}]}`, "invalidPath", 400},
		{"empty userName", `{"Operations":[{"op":"replace","path":"userName","value":""}]}`, "invalidValue", 400},
		{"userName of another user", `{"Operations":[{"op":"replace","path":"userName","value":"OTHER@testuser.com"}]}`, "uniqueness", 409},
		{"read-only id", `{"Operations":[{"op":"replace","path":"id","value":"x"}]}`, "mutability", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scimError(t, s.Do("PATCH", "/Users/"+id, tc.body), tc.status, tc.scimType)
		})
	}
	got := s.Do("GET", "/Users/"+id, "")
	if got.JSON["userName"] != "err@testuser.com" || got.JSON["title"] != nil {
		t.Fatalf("a refused PATCH changed the user: %s", got.Raw)
	}
	scimError(t, s.Do("PATCH", "/Users/nope", `{"Operations":[{"op":"replace","path":"title","value":"x"}]}`), 404, "")
	_ = other
}
