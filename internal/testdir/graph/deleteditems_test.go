package graph

import (
	"strings"
	"testing"
)

// directory-deleteditems-list.md: GET /directory/deletedItems/microsoft.graph.user
// lists the recently deleted users (restorable), not the live ones nor the
// permanently deleted; the cast is required; $select and $top page as on
// users, and 100 a page by default.
func TestDeletedUsersList(t *testing.T) {
	s := New(t)
	mustPutUser(t, s, User{UserPrincipalName: "alive@contoso.example", DisplayName: "Alive"})
	var soft []string
	for _, n := range []string{"a", "b", "c"} {
		id := mustPutUser(t, s, User{UserPrincipalName: n + "@contoso.example", DisplayName: strings.ToUpper(n)})
		if err := s.DeleteUser(id); err != nil {
			t.Fatal(err)
		}
		soft = append(soft, id)
	}
	purged := mustPutUser(t, s, User{UserPrincipalName: "purged@contoso.example", DisplayName: "Purged"})
	if err := s.PurgeUser(purged); err != nil {
		t.Fatal(err)
	}
	restored := mustPutUser(t, s, User{UserPrincipalName: "back@contoso.example", DisplayName: "Back"})
	if err := s.DeleteUser(restored); err != nil {
		t.Fatal(err)
	}
	if err := s.RestoreUser(restored); err != nil {
		t.Fatal(err)
	}
	tok := token(t, s)

	first := get(t, s, tok, "/directory/deletedItems/microsoft.graph.user?$select=id,userPrincipalName&$top=2")
	if first.status != 200 {
		t.Fatalf("status %d: %s", first.status, first.raw)
	}
	next := first.str("@odata.nextLink")
	if next == "" || len(first.value(t)) != 2 {
		t.Fatalf("first page: %s", first.raw)
	}
	second := get(t, s, tok, strings.TrimPrefix(next, s.GraphURL()))
	var got []string
	for _, p := range []answer{first, second} {
		for _, o := range p.value(t) {
			got = append(got, o["id"].(string))
			if _, ok := o["displayName"]; ok {
				t.Errorf("$select=id,userPrincipalName returned displayName: %v", o)
			}
		}
	}
	if strings.Join(got, ",") != strings.Join(soft, ",") || second.str("@odata.nextLink") != "" {
		t.Fatalf("deleted users %q, want %q (second page %s)", got, soft, second.raw)
	}
	if a := get(t, s, tok, "/directory/deleteditems/microsoft.graph.user"); a.status != 200 || len(a.value(t)) != 3 {
		t.Errorf("lower-case deleteditems: %d %s", a.status, a.raw)
	}
	if a := get(t, s, tok, "/directory/deletedItems"); a.status != 400 {
		t.Errorf("without the cast: %d %s", a.status, a.raw)
	}
}
