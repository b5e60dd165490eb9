package scimtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// createBody is Microsoft's "Create User" request of its SCIM provisioning
// page, with the user's name and mail made unique per call.
func createBody(user, mail string) string {
	return fmt.Sprintf(`{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"externalId": "ext-%[1]s",
	"userName": %[1]q,
	"active": true,
	"emails": [{"primary": true, "type": "work", "value": %[2]q}],
	"meta": {"resourceType": "User"},
	"name": {"formatted": "Given Family", "familyName": "Family", "givenName": "Given"},
	"roles": []
}`, user, mail)
}

func q(filter string) string { return "/Users?filter=" + url.QueryEscape(filter) }

// appUser returns the application user a SCIM id was provisioned as.
func appUser(t *testing.T, s *Server, id string) (store.User, bool) {
	t.Helper()
	users, err := s.App.Store.ListUsers(context.Background(), store.UserQuery{Connection: s.Conn})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.ExternalID == id {
			return u, true
		}
	}
	return store.User{}, false
}

func mustStatus(t *testing.T, r Response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Raw)
	}
}

// scimError checks an error in the SCIM error schema: status as a string,
// and the scimType when one is expected (RFC 7644, section 3.12).
func scimError(t *testing.T, r Response, status int, scimType string) {
	t.Helper()
	mustStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		t.Errorf("Content-Type %q, want application/scim+json", ct)
	}
	schemas, _ := r.JSON["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("schemas %v, want the Error URN; body %s", r.JSON["schemas"], r.Raw)
	}
	if r.JSON["status"] != fmt.Sprint(status) {
		t.Errorf("status member %#v, want the string %q", r.JSON["status"], fmt.Sprint(status))
	}
	if got, _ := r.JSON["scimType"].(string); got != scimType {
		t.Errorf("scimType %q, want %q; body %s", got, scimType, r.Raw)
	}
}

func TestTestConnectionFindsNobody(t *testing.T) {
	// "Test Connection queries the SCIM endpoint for a user that doesn't
	// exist, using a random GUID ... The expected correct response is
	// HTTP 200 OK with an empty SCIM ListResponse message."
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		r := s.Do("GET", q(`userName eq "0f6a4ad8-7c7b-4d59-9c6e-3e1e3c1c7a11"`), "")
		mustStatus(t, r, http.StatusOK)
		if r.JSON["totalResults"] != float64(0) || len(r.JSON["Resources"].([]any)) != 0 {
			t.Fatalf("body %s, want an empty ListResponse", r.Raw)
		}
		if r.JSON["schemas"].([]any)[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
			t.Fatalf("schemas %v", r.JSON["schemas"])
		}
	})
}

func TestTokens(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		other, _, err := s.App.CreateSCIMToken(context.Background(), s.Conn, "second", "test")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, token string
			want        int
		}{
			{"none", "", 401},
			{"wrong", "usscim_wrong", 401},
			{"a truncated one", s.Token[:len(s.Token)-1], 401},
			{"another valid one", other, 200},
			{"the server's", s.Token, 200},
		} {
			r := s.DoAs(tc.token, "GET", "/Users", "")
			if r.Status != tc.want {
				t.Errorf("%s token: status %d, want %d", tc.name, r.Status, tc.want)
			}
			if tc.want == 401 {
				scimError(t, r, 401, "")
			}
		}
		if err := s.App.RevokeSCIMToken(context.Background(), s.Conn, "second"); err != nil {
			t.Fatal(err)
		}
		scimError(t, s.DoAs(other, "GET", "/Users", ""), 401, "")
		// A token opens its own connection only.
		if _, _, err := s.App.ApplyConnection(context.Background(), []byte(`{"name":"okta","systemType":"scim"}`)); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", strings.Replace(s.URL, "/entra", "/okta", 1)+"/Users", nil)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		scimError(t, s.send(req), 401, "")
	})
}

func TestCreateUserThroughTheEngine(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		r := s.Do("POST", "/Users", createBody("Test_User_1@contoso.com", "t1@contoso.com"))
		mustStatus(t, r, http.StatusCreated)
		id, _ := r.JSON["id"].(string)
		if id == "" || r.JSON["userName"] != "Test_User_1@contoso.com" || r.JSON["externalId"] != "ext-Test_User_1@contoso.com" {
			t.Fatalf("created %s", r.Raw)
		}
		meta, _ := r.JSON["meta"].(map[string]any)
		if meta["resourceType"] != "User" || meta["created"] == nil || !strings.HasSuffix(meta["location"].(string), "/Users/"+id) {
			t.Fatalf("meta %v", meta)
		}
		if r.Header.Get("Location") != meta["location"] {
			t.Errorf("Location %q, want %q", r.Header.Get("Location"), meta["location"])
		}
		u, ok := appUser(t, s, id)
		if !ok || u.UserID != "Test_User_1@contoso.com" || u.Status != store.StatusActive ||
			u.Fields["email"] != "t1@contoso.com" || u.Fields["firstName"] != "Given" || u.Fields["lastName"] != "Family" {
			t.Fatalf("application user %+v (found %v)", u, ok)
		}
		runs, err := s.App.Store.ListRuns(context.Background(), store.RunQuery{Connection: s.Conn})
		if err != nil || len(runs) != 1 || runs[0].Trigger != store.TriggerSCIM || runs[0].Created != 1 {
			t.Fatalf("runs %+v, %v; want one scim run that created the user", runs, err)
		}
		got := s.Do("GET", "/Users/"+id, "")
		mustStatus(t, got, http.StatusOK)
		if got.JSON["userName"] != "Test_User_1@contoso.com" || got.JSON["active"] != true {
			t.Fatalf("GET %s", got.Raw)
		}
		scimError(t, s.Do("GET", "/Users/no-such-id", ""), 404, "")
	})
}

// TestCreateRefusesBadUsers: nasty data first. Each refused create answers
// the SCIM error it should and leaves no resource and no user behind.
func TestCreateRefusesBadUsers(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		mustStatus(t, s.Do("POST", "/Users", createBody("taken@contoso.com", "a@contoso.com")), 201)
		for _, tc := range []struct {
			name, body string
			status     int
			scimType   string
		}{
			{"duplicate userName in another case", createBody("TAKEN@contoso.com", "b@contoso.com"), 409, "uniqueness"},
			{"empty userName", createBody("", "c@contoso.com"), 400, "invalidValue"},
			{"blank userName", createBody("   ", "c@contoso.com"), 400, "invalidValue"},
			{"no userName", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"active":true}`, 400, "invalidValue"},
			{"unknown attribute", `{"userName":"x@contoso.com","favouriteColour":"red"}`, 400, "invalidValue"},
			{"active not a boolean", `{"userName":"x@contoso.com","active":"maybe"}`, 400, "invalidValue"},
			{"name not an object", `{"userName":"x@contoso.com","name":"X"}`, 400, "invalidValue"},
			{"not JSON", `{"userName":`, 400, "invalidSyntax"},
			{"a list", `[]`, 400, "invalidSyntax"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				scimError(t, s.Do("POST", "/Users", tc.body), tc.status, tc.scimType)
			})
		}
		list := s.Do("GET", "/Users", "")
		if list.JSON["totalResults"] != float64(1) {
			t.Fatalf("after refused creates: %s", list.Raw)
		}
		users, _ := s.App.Store.ListUsers(context.Background(), store.UserQuery{Connection: s.Conn})
		if len(users) != 1 {
			t.Fatalf("application users %+v, want only the first", users)
		}
	})
}

// TestNothingToRead: a SCIM connection is never scheduled, and a sync,
// check or directory search of it is a usage error saying why, not a
// failed dial.
func TestNothingToRead(t *testing.T) {
	s := Start(t, "", Options{})
	ctx := context.Background()
	if _, err := s.App.Sync(ctx, s.Conn, app.SyncOptions{}); !errors.Is(err, app.ErrUsage) || !strings.Contains(err.Error(), "SCIM") {
		t.Errorf("sync: %v", err)
	}
	if _, err := s.App.CheckConnection(ctx, s.Conn); !errors.Is(err, app.ErrUsage) {
		t.Errorf("check: %v", err)
	}
	if _, _, err := s.App.SearchDirectoryUsers(ctx, s.Conn, "x"); !errors.Is(err, app.ErrUsage) {
		t.Errorf("directory search: %v", err)
	}
	scheds, err := s.App.Schedules(ctx, time.Now())
	if err != nil || len(scheds) != 1 || scheds[0].Schedule != "off" {
		t.Errorf("schedules %+v, %v; want off", scheds, err)
	}
	runs, _ := s.App.Store.ListRuns(ctx, store.RunQuery{Connection: s.Conn})
	if len(runs) != 0 {
		t.Errorf("runs recorded: %+v", runs)
	}
}
