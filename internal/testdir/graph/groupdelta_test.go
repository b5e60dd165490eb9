package graph

import (
	"fmt"
	"strings"
	"testing"
)

// TestGroupsDeltaMembers follows delta-query-groups.md: members@delta with
// @odata.type and id; a large group's members split over several pages,
// the group repeated on each; later rounds carry only membership changes,
// a removed member with @removed.
func TestGroupsDeltaMembers(t *testing.T) {
	s := New(t, Options{MembersPerPage: 1000})
	if err := s.Generate(Scale{Users: 2600, Groups: 3, MembersPerGroup: 5, BigGroupMembers: 2500}); err != nil {
		t.Fatal(err)
	}
	nested := mustPutGroup(t, s, Group{DisplayName: "Nested", Members: []string{GenGroupID(1), GenUserID(2599)}})
	tok := token(t, s)
	pages, dl := followRound(t, s, tok, "/groups/delta?$select=displayName,members")
	if len(pages) < 3 {
		t.Fatalf("%d pages; a group of 2500 members must span 3 pages of 1000", len(pages))
	}
	members := map[string]map[string]bool{}
	seen := map[string]int{}
	for _, o := range items(t, pages) {
		id := o["id"].(string)
		seen[id]++
		if members[id] == nil {
			members[id] = map[string]bool{}
		}
		if o["displayName"] == nil {
			t.Errorf("group %s on a page without its displayName", id)
		}
		md, _ := o["members@delta"].([]any)
		for _, m := range md {
			mm := m.(map[string]any)
			members[id][mm["id"].(string)] = true
			wantType := "#microsoft.graph.user"
			if strings.HasPrefix(mm["id"].(string), "00000000-0000-4000-9000") {
				wantType = "#microsoft.graph.group"
			}
			if mm["@odata.type"] != wantType {
				t.Errorf("member %v: @odata.type %v, want %s", mm["id"], mm["@odata.type"], wantType)
			}
		}
	}
	if seen[GenGroupID(0)] != 3 {
		t.Errorf("the big group appeared on %d pages, want 3", seen[GenGroupID(0)])
	}
	if n := len(members[GenGroupID(0)]); n != 2500 {
		t.Errorf("the big group's members across pages: %d, want 2500", n)
	}
	if !members[nested][GenGroupID(1)] || !members[nested][GenUserID(2599)] {
		t.Errorf("nested group members: %v", members[nested])
	}

	if err := s.AddMember(GenGroupID(1), GenUserID(2598)); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(GenGroupID(1), GenUserID(2500)); err != nil {
		t.Fatal(err)
	}
	ps, _ := followRound(t, s, tok, dl)
	objs := items(t, ps)
	if len(objs) != 1 || objs[0]["id"] != GenGroupID(1) {
		t.Fatalf("after a membership change: %v", objs)
	}
	md := objs[0]["members@delta"].([]any)
	got := map[string]string{}
	for _, m := range md {
		mm := m.(map[string]any)
		got[mm["id"].(string)] = fmt.Sprint(mm["@removed"])
	}
	want := map[string]string{GenUserID(2598): "<nil>", GenUserID(2500): "map[reason:deleted]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("members@delta %v, want %v", got, want)
	}
}

// TestDeleteAndRestoreMember: deleting a user removes it from its groups
// (delta-query-groups.md: removed by removing the membership or by deleting
// the user object); restoring it from deleted items brings it back, and
// the users delta shows the restored user without @removed
// (delta-query-users.md).
func TestDeleteAndRestoreMember(t *testing.T) {
	s := New(t)
	u := mustPutUser(t, s, User{UserPrincipalName: "u@contoso.example", DisplayName: "U"})
	g := mustPutGroup(t, s, Group{DisplayName: "G", Members: []string{u}})
	tok := token(t, s)
	_, gdl := followRound(t, s, tok, "/groups/delta?$select=displayName,members")
	_, udl := followRound(t, s, tok, "/users/delta?$select=displayName")
	if err := s.DeleteUser(u); err != nil {
		t.Fatal(err)
	}
	ps, gdl := followRound(t, s, tok, gdl)
	if md := fmt.Sprint(items(t, ps)[0]["members@delta"]); md != "[map[@odata.type:#microsoft.graph.user @removed:map[reason:deleted] id:"+u+"]]" {
		t.Fatalf("after deleting the member: %s", md)
	}
	if err := s.RestoreUser(u); err != nil {
		t.Fatal(err)
	}
	ps, _ = followRound(t, s, tok, gdl)
	if md := fmt.Sprint(items(t, ps)[0]["members@delta"]); md != "[map[@odata.type:#microsoft.graph.user id:"+u+"]]" {
		t.Fatalf("after restoring the member: %s", md)
	}
	if got := s.Members(g); len(got) != 1 || got[0] != u {
		t.Errorf("members after restore: %v", got)
	}
	ps, _ = followRound(t, s, tok, udl)
	if o := items(t, ps); len(o) != 1 || o[0]["@removed"] != nil || o[0]["displayName"] != "U" {
		t.Errorf("users delta after delete and restore: %v", o)
	}
}

// TestShuffle: with the Shuffle quirk a large group's parts come among the
// other groups, and merging all pages still gives every member.
func TestShuffle(t *testing.T) {
	s := New(t, Options{MembersPerPage: 100, PageSize: 5})
	if err := s.Generate(Scale{Users: 1000, Groups: 40, MembersPerGroup: 3, BigGroupMembers: 1000}); err != nil {
		t.Fatal(err)
	}
	s.SetQuirks(Quirks{Shuffle: true})
	tok := token(t, s)
	ps, _ := followRound(t, s, tok, "/groups/delta?$select=displayName,members")
	members := map[string]bool{}
	var order []string
	for _, o := range items(t, ps) {
		order = append(order, o["id"].(string))
		if o["id"] == GenGroupID(0) {
			for _, m := range o["members@delta"].([]any) {
				members[m.(map[string]any)["id"].(string)] = true
			}
		}
	}
	if len(members) != 1000 {
		t.Errorf("big group members merged across pages: %d, want 1000", len(members))
	}
	first := 0
	for first < len(order) && order[first] == GenGroupID(0) {
		first++
	}
	if first == 10 {
		t.Errorf("the big group's ten parts came first, one after another: not shuffled")
	}
}

// TestDeleteAndRestoreGroup: a deleted group is @removed "changed" in the
// groups delta and leaves its parent; restored, it comes back whole with
// its members, and in its parent again.
func TestDeleteAndRestoreGroup(t *testing.T) {
	s := New(t)
	u := mustPutUser(t, s, User{UserPrincipalName: "u@contoso.example", DisplayName: "U"})
	child := mustPutGroup(t, s, Group{DisplayName: "Child", Members: []string{u}})
	parent := mustPutGroup(t, s, Group{DisplayName: "Parent", Members: []string{child}})
	tok := token(t, s)
	_, dl := followRound(t, s, tok, "/groups/delta?$select=displayName,members")
	if err := s.DeleteGroup(child); err != nil {
		t.Fatal(err)
	}
	ps, dl := followRound(t, s, tok, dl)
	got := byID(t, items(t, ps))
	if fmt.Sprint(got[child]["@removed"]) != "map[reason:changed]" {
		t.Errorf("deleted group: %v", got[child])
	}
	if fmt.Sprint(got[parent]["members@delta"]) != "[map[@odata.type:#microsoft.graph.group @removed:map[reason:deleted] id:"+child+"]]" {
		t.Errorf("parent after the child's deletion: %v", got[parent])
	}
	if err := s.RestoreGroup(child); err != nil {
		t.Fatal(err)
	}
	ps, _ = followRound(t, s, tok, dl)
	got = byID(t, items(t, ps))
	if got[child]["displayName"] != "Child" || fmt.Sprint(got[child]["members@delta"]) != "[map[@odata.type:#microsoft.graph.user id:"+u+"]]" {
		t.Errorf("restored group: %v", got[child])
	}
	if fmt.Sprint(got[parent]["members@delta"]) != "[map[@odata.type:#microsoft.graph.group id:"+child+"]]" {
		t.Errorf("parent after the child's restore: %v", got[parent])
	}
	if err := s.PurgeGroup(child); err != nil {
		t.Fatal(err)
	}
	if err := s.RestoreGroup(child); err == nil {
		t.Errorf("a purged group was restored")
	}
}
