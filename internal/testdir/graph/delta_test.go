package graph

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// TestUsersDeltaRound follows delta-query-users.md: an initial round pages
// with nextLinks carrying $skiptoken and ends with a deltaLink carrying
// $deltatoken; the deltaLink then returns only what changed, with @removed
// "changed" for a deleted user and "deleted" for a permanently deleted one.
func TestUsersDeltaRound(t *testing.T) {
	s := New(t)
	if err := s.Generate(Scale{Users: 250}); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	pages, dl := followRound(t, s, tok, "/users/delta?$select=displayName,givenName,surname,jobTitle")
	if len(pages) != 3 {
		t.Fatalf("%d pages for 250 users, want 3 of at most 100", len(pages))
	}
	for i, p := range pages[:2] {
		if !strings.Contains(p.str("@odata.nextLink"), "/v1.0/users/delta?$skiptoken=") {
			t.Errorf("page %d nextLink %q has no $skiptoken", i, p.str("@odata.nextLink"))
		}
	}
	if !strings.Contains(dl, "/v1.0/users/delta?$deltatoken=") {
		t.Errorf("deltaLink %q has no $deltatoken", dl)
	}
	if got, want := pages[0].str("@odata.context"), s.URL()+"/v1.0/$metadata#users(displayName,givenName,surname,jobTitle)"; got != want {
		t.Errorf("@odata.context %q, want %q", got, want)
	}
	all := byID(t, items(t, pages))
	if len(all) != 250 {
		t.Fatalf("initial round returned %d users, want 250", len(all))
	}
	first := all[GenUserID(0)]
	for _, k := range keys(first) {
		if k != "id" && k != "displayName" && k != "givenName" && k != "surname" && k != "jobTitle" {
			t.Errorf("unselected property %s returned", k)
		}
	}

	// Nothing changed: an empty value and a new deltaLink.
	again, dl2 := followRound(t, s, tok, dl)
	if n := len(items(t, again)); n != 0 {
		t.Fatalf("no change, yet %d objects", n)
	}

	renamed, deleted, purged := GenUserID(1), GenUserID(2), GenUserID(3)
	if err := s.UpdateUser(renamed, map[string]any{"displayName": "Renamed One", "jobTitle": nil}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(deleted); err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeUser(purged); err != nil {
		t.Fatal(err)
	}
	added := mustPutUser(t, s, User{UserPrincipalName: "new@contoso.example", DisplayName: "New"})
	// A change to a property not selected does not make the user appear
	// (delta-query-overview.md on $select).
	if err := s.UpdateUser(GenUserID(4), map[string]any{"department": "Elsewhere"}); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T, link string, headers ...string) map[string]map[string]any {
		t.Helper()
		ps, _ := followRound(t, s, tok, link, headers...)
		got := byID(t, items(t, ps))
		var ids []string
		for id := range got {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		want := []string{renamed, deleted, purged, added}
		sort.Strings(want)
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Fatalf("changed users %v, want %v", ids, want)
		}
		if r := got[deleted]["@removed"]; fmt.Sprint(r) != "map[reason:changed]" {
			t.Errorf("soft-deleted user: @removed %v", r)
		}
		if r := got[purged]["@removed"]; fmt.Sprint(r) != "map[reason:deleted]" {
			t.Errorf("permanently deleted user: @removed %v", r)
		}
		if got[added]["displayName"] != "New" || got[added]["@removed"] != nil {
			t.Errorf("added user: %v", got[added])
		}
		return got
	}
	got := check(t, dl2)
	// user-delta.md default: unchanged selected properties are returned
	// too; a property set to null is returned as null.
	r := got[renamed]
	if r["displayName"] != "Renamed One" || r["givenName"] != "Given1" {
		t.Errorf("renamed user by default: %v", r)
	}
	if v, ok := r["jobTitle"]; !ok || v != nil {
		t.Errorf("jobTitle cleared: want null, got %v (present %v)", v, ok)
	}
	// Replays: the same deltaLink again gives the same changes.
	got = check(t, dl2, "Prefer", "return=minimal")
	// user-delta.md, return=minimal: only the changed properties and id.
	r = got[renamed]
	if _, ok := r["givenName"]; ok || r["displayName"] != "Renamed One" || len(r) != 3 {
		t.Errorf("renamed user with return=minimal: %v", r)
	}
}

// TestDeltaSelectTracksOnlySelected: delta-query-overview.md, a change to a
// property outside $select does not put the object in the delta.
func TestDeltaSelectTracksOnlySelected(t *testing.T) {
	s := New(t)
	id := mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", DisplayName: "A", JobTitle: "Clerk"})
	tok := token(t, s)
	_, dl := followRound(t, s, tok, "/users/delta?$select=displayName")
	if err := s.UpdateUser(id, map[string]any{"jobTitle": "Boss"}); err != nil {
		t.Fatal(err)
	}
	ps, dl := followRound(t, s, tok, dl)
	if n := len(items(t, ps)); n != 0 {
		t.Fatalf("jobTitle changed outside $select, yet %d objects", n)
	}
	if err := s.UpdateUser(id, map[string]any{"displayName": "B"}); err != nil {
		t.Fatal(err)
	}
	ps, _ = followRound(t, s, tok, dl)
	if o := items(t, ps); len(o) != 1 || o[0]["displayName"] != "B" {
		t.Fatalf("displayName changed: %v", o)
	}
}

// TestDeltaTokenGone: delta-query-overview.md, an expired token gives a
// 40x with syncStateNotFound, and a synchronization reset gives 410 with a
// Location header holding the initial query with an empty $deltatoken.
func TestDeltaTokenGone(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(*Server)
		code string
	}{
		{"expired", (*Server).ExpireDeltaTokens, "syncStateNotFound"},
		{"reset", (*Server).ResetSync, "resyncRequired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t)
			if err := s.Generate(Scale{Users: 150}); err != nil {
				t.Fatal(err)
			}
			tok := token(t, s)
			first := get(t, s, tok, "/users/delta?$select=displayName")
			next := first.str("@odata.nextLink")
			_, dl := followRound(t, s, tok, next)
			tc.do(s)
			for _, link := range []string{dl, next} {
				a := get(t, s, tok, link)
				if a.status != http.StatusGone || a.graphErr() != tc.code {
					t.Fatalf("%s: %d %s, want 410 %s", link, a.status, a.raw, tc.code)
				}
				loc := a.header.Get("Location")
				if !strings.HasSuffix(loc, "$deltatoken=") || !strings.Contains(loc, "/v1.0/users/delta?") {
					t.Fatalf("Location %q", loc)
				}
				ps, _ := followRound(t, s, tok, loc)
				if n := len(items(t, ps)); n != 150 {
					t.Fatalf("following Location read %d users, want the full 150", n)
				}
				if o := items(t, ps)[0]; len(o) != 2 {
					t.Errorf("the restarted round lost $select: %v", o)
				}
			}
			a := get(t, s, tok, "/users/delta?$deltatoken=nosuchtoken")
			if a.status != http.StatusGone {
				t.Errorf("unknown token: %d %s", a.status, a.raw)
			}
		})
	}
}

func TestDeltaLatest(t *testing.T) {
	s := New(t)
	mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", DisplayName: "A"})
	tok := token(t, s)
	a := get(t, s, tok, "/users/delta?$deltatoken=latest")
	if a.status != 200 || len(a.value(t)) != 0 || a.str("@odata.deltaLink") == "" {
		t.Fatalf("$deltatoken=latest: %d %s", a.status, a.raw)
	}
	mustPutUser(t, s, User{UserPrincipalName: "b@contoso.example", DisplayName: "B"})
	ps, _ := followRound(t, s, tok, a.str("@odata.deltaLink"))
	if o := items(t, ps); len(o) != 1 || o[0]["displayName"] != "B" {
		t.Fatalf("after latest: %v", o)
	}
}

// TestDeltaQueryOptions: user-delta.md and delta-query-overview.md list
// what delta accepts: $select, $filter on id only (up to 50), no $top, no
// $orderby, no $select beside a $skiptoken.
func TestDeltaQueryOptions(t *testing.T) {
	s := New(t)
	if err := s.Generate(Scale{Users: 120}); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	next := get(t, s, tok, "/users/delta").str("@odata.nextLink")
	var many []string
	for i := 0; i < 51; i++ {
		many = append(many, "id eq '"+GenUserID(i)+"'")
	}
	tests := []struct {
		name   string
		path   string
		status int
		ids    int
	}{
		{"$top", "/users/delta?$top=5", 400, 0},
		{"$orderby", "/users/delta?$orderby=displayName", 400, 0},
		{"filter on another property", "/users/delta?$filter=" + url.QueryEscape("displayName eq 'x'"), 400, 0},
		{"filter startswith", "/users/delta?$filter=" + url.QueryEscape("startswith(displayName,'x')"), 400, 0},
		{"filter with 51 ids", "/users/delta?$filter=" + url.QueryEscape(strings.Join(many, " or ")), 400, 0},
		{"filter injected quote", "/users/delta?$filter=" + url.QueryEscape("id eq 'x' or 1 eq 1"), 400, 0},
		{"expand something else", "/users/delta?$expand=memberOf", 400, 0},
		{"select beside skiptoken", next + "&$select=displayName", 400, 0},
		{"bad select", "/users/delta?$select=" + url.QueryEscape("displayName,'x'"), 400, 0},
		{"filter two ids", "/users/delta?$filter=" + url.QueryEscape("id eq '"+GenUserID(3)+"' or id eq '"+GenUserID(7)+"'"), 200, 2},
		{"filter unknown id", "/users/delta?$filter=" + url.QueryEscape("id eq 'nobody'"), 200, 0},
		{"fully qualified function", "/users/microsoft.graph.delta?$filter=" + url.QueryEscape("id eq '"+GenUserID(3)+"'"), 200, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, s, tok, tc.path)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if tc.status == 400 {
				if a.graphErr() == "" {
					t.Errorf("no error code: %s", a.raw)
				}
				return
			}
			if n := len(a.value(t)); n != tc.ids {
				t.Errorf("%d users, want %d", n, tc.ids)
			}
		})
	}
}

// TestDeltaMaxPageSize: paging.md, Prefer: odata.maxpagesize asks for
// smaller (or larger) pages.
func TestDeltaMaxPageSize(t *testing.T) {
	s := New(t)
	if err := s.Generate(Scale{Users: 45}); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	ps, _ := followRound(t, s, tok, "/users/delta", "Prefer", "odata.maxpagesize=10")
	if len(ps) != 5 {
		t.Fatalf("%d pages of at most 10 for 45 users, want 5", len(ps))
	}
}

// TestManagerDelta: the manager is a relationship tracked with $select
// (delta-query-overview.md) and returned as manager@delta.
func TestManagerDelta(t *testing.T) {
	s := New(t)
	boss := mustPutUser(t, s, User{UserPrincipalName: "boss@contoso.example", DisplayName: "Boss"})
	boss2 := mustPutUser(t, s, User{UserPrincipalName: "boss2@contoso.example", DisplayName: "Boss 2"})
	emp := mustPutUser(t, s, User{UserPrincipalName: "emp@contoso.example", DisplayName: "Emp", Manager: boss})
	tok := token(t, s)
	ps, dl := followRound(t, s, tok, "/users/delta?$select=displayName,manager")
	got := byID(t, items(t, ps))
	if md := fmt.Sprint(got[emp]["manager@delta"]); md != "[map[@odata.type:#microsoft.graph.user id:"+boss+"]]" {
		t.Errorf("initial manager@delta %s", md)
	}
	if _, ok := got[boss]["manager@delta"]; ok {
		t.Errorf("a user without a manager has manager@delta")
	}
	if err := s.UpdateUser(emp, map[string]any{"manager": boss2}); err != nil {
		t.Fatal(err)
	}
	ps, dl = followRound(t, s, tok, dl)
	got = byID(t, items(t, ps))
	if len(got) != 1 || fmt.Sprint(got[emp]["manager@delta"]) != "[map[@odata.type:#microsoft.graph.user id:"+boss2+"]]" {
		t.Errorf("after a manager change: %v", got)
	}
	if err := s.UpdateUser(emp, map[string]any{"manager": nil}); err != nil {
		t.Fatal(err)
	}
	ps, _ = followRound(t, s, tok, dl)
	got = byID(t, items(t, ps))
	if fmt.Sprint(got[emp]["manager@delta"]) != "[map[@odata.type:#microsoft.graph.user @removed:map[reason:deleted] id:"+boss2+"]]" {
		t.Errorf("after the manager was removed: %v", got)
	}
}

// TestManagerNotTrackedByDefault: user-delta.md example 1, without $select
// a user comes with its default properties and no manager@delta.
func TestManagerNotTrackedByDefault(t *testing.T) {
	s := New(t)
	boss := mustPutUser(t, s, User{UserPrincipalName: "boss@contoso.example", DisplayName: "Boss"})
	emp := mustPutUser(t, s, User{UserPrincipalName: "emp@contoso.example", DisplayName: "Emp", Manager: boss})
	tok := token(t, s)
	ps, dl := followRound(t, s, tok, "/users/delta")
	o := byID(t, items(t, ps))[emp]
	if _, ok := o["manager@delta"]; ok {
		t.Errorf("manager@delta without $select: %v", o)
	}
	for _, k := range defaultUserSelect {
		if k == "mobilePhone" || k == "officeLocation" || k == "jobTitle" || k == "mail" || k == "preferredLanguage" || k == "givenName" || k == "surname" {
			continue // never set, so absent (user-delta.md)
		}
		if _, ok := o[k]; !ok {
			t.Errorf("default property %s missing: %v", k, o)
		}
	}
	if err := s.UpdateUser(emp, map[string]any{"manager": nil}); err != nil {
		t.Fatal(err)
	}
	ps, _ = followRound(t, s, tok, dl)
	if n := len(items(t, ps)); n != 0 {
		t.Errorf("a manager change is not tracked without $select, yet %d objects", n)
	}
	a := get(t, s, tok, "/users/delta?$select=displayName,manager")
	if got, want := a.str("@odata.context"), s.URL()+"/v1.0/$metadata#users(displayName,manager)"; got != want {
		t.Errorf("@odata.context %q, want %q", got, want)
	}
}

// TestQuirks: replays (the same change in a later round), an object twice
// in one round, and @removed in the initial round are all documented in
// delta-query-overview.md; each can be asked for.
func TestQuirks(t *testing.T) {
	s := New(t)
	a := mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", DisplayName: "A"})
	gone := mustPutUser(t, s, User{UserPrincipalName: "gone@contoso.example", DisplayName: "Gone"})
	if err := s.DeleteUser(gone); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)
	s.SetQuirks(Quirks{RemovedInInitial: true})
	ps, dl := followRound(t, s, tok, "/users/delta?$select=displayName")
	got := byID(t, items(t, ps))
	if len(got) != 2 || fmt.Sprint(got[gone]["@removed"]) != "map[reason:changed]" {
		t.Fatalf("initial round with RemovedInInitial: %v", got)
	}
	s.SetQuirks(Quirks{Replays: true, Duplicates: true})
	if err := s.UpdateUser(a, map[string]any{"displayName": "A2"}); err != nil {
		t.Fatal(err)
	}
	ps, dl = followRound(t, s, tok, dl)
	if o := items(t, ps); len(o) != 2 || o[0]["id"] != a || o[1]["id"] != a {
		t.Fatalf("with Duplicates: %v", o)
	}
	ps, _ = followRound(t, s, tok, dl)
	if o := items(t, ps); len(o) != 2 || o[0]["displayName"] != "A2" {
		t.Fatalf("with Replays the next round repeats the change: %v", o)
	}
}

// TestExtensionAttributesInDelta: onPremisesExtensionAttributes is one
// complex property; changing one attribute keeps the others and returns
// the whole object.
func TestExtensionAttributesInDelta(t *testing.T) {
	s := New(t)
	id := mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", ExtensionAttributes: map[int]string{1: "one"}})
	tok := token(t, s)
	_, dl := followRound(t, s, tok, "/users/delta?$select=onPremisesExtensionAttributes,extension_0a1b_site")
	if err := s.UpdateUser(id, map[string]any{"onPremisesExtensionAttributes": map[string]any{"extensionAttribute2": "two"}, "extension_0a1b_site": "Paris"}); err != nil {
		t.Fatal(err)
	}
	ps, _ := followRound(t, s, tok, dl, "Prefer", "return=minimal")
	o := items(t, ps)
	if len(o) != 1 || o[0]["extension_0a1b_site"] != "Paris" {
		t.Fatalf("%v", o)
	}
	ext := o[0]["onPremisesExtensionAttributes"].(map[string]any)
	if ext["extensionAttribute2"] != "two" || ext["extensionAttribute1"] != "one" || ext["extensionAttribute3"] != nil || len(ext) != 15 {
		t.Errorf("onPremisesExtensionAttributes %v", ext)
	}
}
