package graph

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// TestListUsers: user-list.md, $filter (eq, startswith, on the properties
// the page lists), $select with null for unset properties, $top with
// @odata.nextLink paging; soft-deleted users are not listed.
func TestListUsers(t *testing.T) {
	s := New(t)
	alice := mustPutUser(t, s, User{UserPrincipalName: "alice@contoso.example", DisplayName: "Alice", Department: "Sales"})
	mustPutUser(t, s, User{UserPrincipalName: "bob@contoso.example", DisplayName: "Bob", AccountEnabled: ptr(false)})
	mustPutUser(t, s, User{UserPrincipalName: "guest_x#EXT#@contoso.example", DisplayName: "O'Brien", UserType: "Guest"})
	gone := mustPutUser(t, s, User{UserPrincipalName: "gone@contoso.example", DisplayName: "Gone"})
	if err := s.DeleteUser(gone); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	q := func(f string) string { return "/users?$filter=" + url.QueryEscape(f) }
	tests := []struct {
		name   string
		path   string
		status int
		want   []string // displayNames
	}{
		{"all", "/users", 200, []string{"Alice", "Bob", "O'Brien"}},
		{"guests", q("userType eq 'Guest'"), 200, []string{"O'Brien"}},
		{"disabled", q("accountEnabled eq false"), 200, []string{"Bob"}},
		{"upn, case ignored", q("userPrincipalName eq 'ALICE@contoso.example'"), 200, []string{"Alice"}},
		{"quote escaped", q("displayName eq 'O''Brien'"), 200, []string{"O'Brien"}},
		{"startswith", q("startswith(displayName,'b')"), 200, []string{"Bob"}},
		{"or", q("displayName eq 'Alice' or displayName eq 'Bob'"), 200, []string{"Alice", "Bob"}},
		{"and", q("department eq 'Sales' and userType eq 'Member'"), 200, []string{"Alice"}},
		{"in", q("displayName in ('Alice','Nobody')"), 200, []string{"Alice"}},
		{"empty result", q("displayName eq 'Nobody'"), 200, nil},
		{"unsupported operator", q("displayName gt 'A'"), 400, nil},
		{"unsupported property", q("city eq 'Paris'"), 400, nil},
		{"ne needs advanced query", q("displayName ne 'A'"), 400, nil},
		{"unterminated string", q("displayName eq 'A"), 400, nil},
		{"top 0", "/users?$top=0", 400, nil},
		{"top 1000", "/users?$top=1000", 400, nil},
		{"orderby", "/users?$orderby=displayName", 400, nil},
		{"$count=true without ConsistencyLevel is ignored", "/users?$count=true", 200, []string{"Alice", "Bob", "O'Brien"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, s, tok, tc.path)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if tc.status != 200 {
				if a.graphErr() == "" {
					t.Errorf("no error code: %s", a.raw)
				}
				return
			}
			var names []string
			for _, o := range a.value(t) {
				names = append(names, o["displayName"].(string))
			}
			sort.Strings(names)
			if fmt.Sprint(names) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", names, tc.want)
			}
		})
	}

	t.Run("select with nulls", func(t *testing.T) {
		a := get(t, s, tok, q("id eq '"+alice+"'")+"&$select=displayName,mobilePhone,department")
		o := a.value(t)
		if len(o) != 1 || len(o[0]) != 4 || o[0]["mobilePhone"] != nil || o[0]["department"] != "Sales" {
			t.Fatalf("%s", a.raw)
		}
		if _, ok := o[0]["mobilePhone"]; !ok {
			t.Errorf("an unset selected property is left out; user-list.md prints it as null")
		}
	})
	t.Run("paging", func(t *testing.T) {
		ps := []answer{get(t, s, tok, "/users?$top=2&$select=displayName")}
		for next := ps[0].str("@odata.nextLink"); next != ""; next = ps[len(ps)-1].str("@odata.nextLink") {
			if !strings.Contains(next, "$skiptoken=") || !strings.Contains(next, "$top=2") {
				t.Fatalf("nextLink %q", next)
			}
			ps = append(ps, get(t, s, tok, next))
		}
		if len(ps) != 2 || len(items(t, ps)) != 3 {
			t.Fatalf("%d pages, %d users", len(ps), len(items(t, ps)))
		}
	})
}

// TestGetUser: user-get.md, by id or userPrincipalName; a deleted or
// unknown user is 404 Request_ResourceNotFound.
func TestGetUser(t *testing.T) {
	s := New(t)
	boss := mustPutUser(t, s, User{UserPrincipalName: "boss@contoso.example", DisplayName: "Boss"})
	id := mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", DisplayName: "A", Manager: boss,
		ExtensionAttributes: map[int]string{3: "cost-center-7"}, Extensions: map[string]any{"extension_0a1b2c3d_site": "Paris"}})
	gone := mustPutUser(t, s, User{UserPrincipalName: "gone@contoso.example"})
	if err := s.DeleteUser(gone); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/users/" + id, 200},
		{"/users/a@contoso.example", 200},
		{"/users/" + gone, 404},
		{"/users/nobody", 404},
	} {
		a := get(t, s, tok, tc.path+"?$select=displayName,onPremisesExtensionAttributes,extension_0a1b2c3d_site")
		if a.status != tc.status {
			t.Fatalf("%s: %d %s", tc.path, a.status, a.raw)
		}
		if tc.status == 404 {
			if a.graphErr() != "Request_ResourceNotFound" {
				t.Errorf("%s: %s", tc.path, a.raw)
			}
			continue
		}
		ext := a.body["onPremisesExtensionAttributes"].(map[string]any)
		if ext["extensionAttribute3"] != "cost-center-7" || len(ext) != 15 || a.body["extension_0a1b2c3d_site"] != "Paris" {
			t.Errorf("%s: %s", tc.path, a.raw)
		}
	}
	// A user without extension attributes still has the complex property,
	// every attribute null.
	a := get(t, s, tok, "/users/"+boss+"?$select=onPremisesExtensionAttributes")
	if ext, ok := a.body["onPremisesExtensionAttributes"].(map[string]any); !ok || len(ext) != 15 || ext["extensionAttribute1"] != nil {
		t.Errorf("no extension attributes: %s", a.raw)
	}
	a = get(t, s, tok, "/users/"+id+"/manager")
	if a.status != 200 || a.str("id") != boss || a.str("@odata.type") != "#microsoft.graph.user" {
		t.Errorf("manager: %d %s", a.status, a.raw)
	}
	if a := get(t, s, tok, "/users/"+boss+"/manager"); a.status != http.StatusNotFound {
		t.Errorf("no manager: %d %s", a.status, a.raw)
	}
	a = get(t, s, tok, "/users/"+id+"?$expand=manager&$select=displayName")
	if m, _ := a.body["manager"].(map[string]any); m["id"] != boss {
		t.Errorf("get with $expand=manager: %s", a.raw)
	}
	a = get(t, s, tok, "/users?$expand=manager&$select=displayName&$filter="+url.QueryEscape("id eq '"+id+"'"))
	if m, _ := a.value(t)[0]["manager"].(map[string]any); m["id"] != boss {
		t.Errorf("$expand=manager: %s", a.raw)
	}
}

// TestMembers: group-list-members.md lists direct members with their
// @odata.type; group-list-transitivemembers.md flattens nested groups,
// each object once, the nested groups included.
func TestMembers(t *testing.T) {
	s := New(t)
	u1 := mustPutUser(t, s, User{UserPrincipalName: "u1@contoso.example", DisplayName: "U1"})
	u2 := mustPutUser(t, s, User{UserPrincipalName: "u2@contoso.example", DisplayName: "U2"})
	u3 := mustPutUser(t, s, User{UserPrincipalName: "u3@contoso.example", DisplayName: "U3"})
	inner := mustPutGroup(t, s, Group{DisplayName: "Inner", Members: []string{u2, u3}})
	outer := mustPutGroup(t, s, Group{DisplayName: "Outer", Members: []string{u1, inner, u2}})
	// A cycle must not loop.
	if err := s.AddMember(inner, outer); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	ids := func(a answer) string {
		var out []string
		for _, o := range a.value(t) {
			out = append(out, o["@odata.type"].(string)[len("#microsoft.graph."):]+":"+o["displayName"].(string))
		}
		sort.Strings(out)
		return fmt.Sprint(out)
	}
	if got := ids(get(t, s, tok, "/groups/"+outer+"/members")); got != "[group:Inner user:U1 user:U2]" {
		t.Errorf("members %s", got)
	}
	if got := ids(get(t, s, tok, "/groups/"+outer+"/transitiveMembers")); got != "[group:Inner user:U1 user:U2 user:U3]" {
		t.Errorf("transitiveMembers %s", got)
	}
	if a := get(t, s, tok, "/groups/nosuch/members"); a.status != 404 || a.graphErr() != "Request_ResourceNotFound" {
		t.Errorf("unknown group: %d %s", a.status, a.raw)
	}
	if err := s.RemoveMember(outer, u1); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(outer, u1); err == nil {
		t.Errorf("removing a member twice succeeded")
	}
	if err := s.AddMember(outer, "nosuch"); err == nil {
		t.Errorf("adding an unknown member succeeded")
	}
	a := get(t, s, tok, "/groups?$filter="+url.QueryEscape("displayName eq 'Outer'"))
	if o := a.value(t); len(o) != 1 || o[0]["id"] != outer || o[0]["securityEnabled"] != true {
		t.Errorf("group list: %s", a.raw)
	}
}

// TestTenantAPIRefusesBadInput: the Go API names the field and the cause.
func TestTenantAPIRefusesBadInput(t *testing.T) {
	s := New(t)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"extension attribute 16", func() error {
			_, err := s.PutUser(User{ExtensionAttributes: map[int]string{16: "x"}})
			return err
		}(), "extensionAttribute16"},
		{"bad directory extension", func() error {
			_, err := s.PutUser(User{Extensions: map[string]any{"site": "x"}})
			return err
		}(), "extension_<appId>_<name>"},
		{"unknown manager", func() error { _, err := s.PutUser(User{Manager: "nobody"}); return err }(), "manager nobody"},
		{"id change", s.UpdateUser("x", map[string]any{"id": "y"}), "immutable"},
		{"unknown user", s.UpdateUser("nobody", map[string]any{"displayName": "y"}), "user nobody"},
		{"unknown property", s.UpdateUser("nobody", map[string]any{"displayname": "y"}), "displayname: not a user property"},
		{"extension attribute 16 by update", s.UpdateUser("nobody", map[string]any{"onPremisesExtensionAttributes": map[string]any{"extensionAttribute16": "x"}}), "extensionAttribute16"},
		{"unknown member", func() error { _, err := s.PutGroup(Group{DisplayName: "G", Members: []string{"nobody"}}); return err }(), "member nobody"},
		{"restore a live user", func() error {
			id, _ := s.PutUser(User{DisplayName: "L"})
			return s.RestoreUser(id)
		}(), "no such object"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", tc.name, tc.err, tc.want)
		}
	}
}

// TestCount: aad-advanced-queries.md, /users/$count needs ConsistencyLevel:
// eventual (else 400 Request_BadRequest) and answers a plain number;
// ?$count=true with the header adds @odata.count.
func TestCount(t *testing.T) {
	s := New(t)
	if err := s.Generate(Scale{Users: 7, Groups: 2, MembersPerGroup: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(GenUserID(0)); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	if a := get(t, s, tok, "/users/$count"); a.status != 400 || a.graphErr() != "Request_BadRequest" {
		t.Errorf("without ConsistencyLevel: %d %s", a.status, a.raw)
	}
	for path, want := range map[string]string{"/users/$count": "6", "/groups/$count": "2",
		"/users/$count?$filter=" + url.QueryEscape("department eq 'Finance'"): "1"} {
		req, _ := http.NewRequest(http.MethodGet, s.GraphURL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("ConsistencyLevel", "eventual")
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != want {
			t.Errorf("%s: %d %q, want %s", path, resp.StatusCode, b, want)
		}
	}
	a := get(t, s, tok, "/users?$count=true&$top=2", "ConsistencyLevel", "eventual")
	if a.body["@odata.count"] != float64(6) || len(a.value(t)) != 2 {
		t.Errorf("$count=true: %s", a.raw)
	}
}

// TestPropertyTypes: every property comes with its type in the user
// resource (user.md: strings, businessPhones a string collection,
// accountEnabled a Boolean, onPremisesExtensionAttributes an object), in a
// list, a get and a delta alike.
func TestPropertyTypes(t *testing.T) {
	s := New(t)
	id := mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", DisplayName: "A", GivenName: "G", Surname: "S",
		Mail: "a@contoso.example", JobTitle: "J", Department: "D", OfficeLocation: "O", MobilePhone: "+1 555",
		BusinessPhones: []string{"+1 556"}, PreferredLanguage: "en-US", EmployeeID: "E1", AccountEnabled: ptr(false),
		UserType: "Guest", Extensions: map[string]any{"extension_0a1b_n": "x"}})
	tok := token(t, s)
	sel := strings.Join(append(append([]string(nil), userPropNames...), "extension_0a1b_n"), ",")
	want := map[string]string{"businessPhones": "[]interface {}", "accountEnabled": "bool", "onPremisesExtensionAttributes": "map[string]interface {}"}
	for _, path := range []string{"/users/" + id + "?$select=" + sel, "/users?$select=" + sel, "/users/delta?$select=" + sel} {
		a := get(t, s, tok, path)
		o := a.body
		if v, ok := a.body["value"].([]any); ok {
			o = v[0].(map[string]any)
		}
		for _, p := range append(append([]string(nil), userPropNames...), "extension_0a1b_n") {
			w := want[p]
			if w == "" {
				w = "string"
			}
			if got := fmt.Sprintf("%T", o[p]); got != w {
				t.Errorf("%s: %s is %s (%v), want %s", path, p, got, o[p], w)
			}
		}
	}
}

// TestSelectUnknownProperty: Graph refuses $select of a property the
// resource does not have (400 Request_BadRequest naming it), and matches
// names without regard to case, answering in its own spelling.
func TestSelectUnknownProperty(t *testing.T) {
	s := New(t)
	id := mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", DisplayName: "A"})
	mustPutGroup(t, s, Group{DisplayName: "G", Members: []string{id}})
	tok := token(t, s)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/users?$select=displayName,costCenter", 400},
		{"/users/delta?$select=displayName,costCenter", 400},
		{"/groups/delta?$select=displayName,userPrincipalName", 400},
		{"/groups?$select=givenName", 400},
		{"/users?$select=DISPLAYNAME", 200},
		{"/users/delta?$select=displayname,extension_0a1b_site", 200},
	} {
		a := get(t, s, tok, tc.path)
		if a.status != tc.status {
			t.Errorf("%s: %d %s", tc.path, a.status, a.raw)
			continue
		}
		if tc.status == 400 {
			if a.graphErr() != "Request_BadRequest" || !strings.Contains(a.raw, "Could not find a property named") {
				t.Errorf("%s: %s", tc.path, a.raw)
			}
			continue
		}
		if o := a.value(t); len(o) != 1 || o[0]["displayName"] != "A" {
			t.Errorf("%s: %s", tc.path, a.raw)
		}
	}
}
