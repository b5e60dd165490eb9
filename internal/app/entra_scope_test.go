package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/grouprules"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/entratest"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// Issue: scope groups on Entra are named as Entra names them (displayName
// or object id, not DNs) and scope by membership, transitive when nesting
// is on; a listed group that does not exist, and a scope whose groups have
// members of which the connection reads none, fail the run naming
// scope.groups, as on LDAP.
func TestEntraScopeGroups(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	ids := map[string]string{}
	for _, u := range []string{"ann", "bob", "carol"} {
		id, err := g.PutUser(graph.User{UserPrincipalName: u + "@contoso.test", DisplayName: u})
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = id
	}
	guest, err := g.PutUser(graph.User{UserPrincipalName: "x_fabrikam.test#EXT#@contoso.test", DisplayName: "x", UserType: "Guest"})
	if err != nil {
		t.Fatal(err)
	}
	put := func(name string, members ...string) string {
		t.Helper()
		id, err := g.PutGroup(graph.Group{DisplayName: name, Members: members})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	nested := put("Sales EMEA", ids["bob"])
	put("Sales", ids["ann"], nested)
	put("O'Brien's team", ids["carol"])
	put("Partners", guest)
	put("Twin", ids["ann"])
	put("Twin", ids["bob"])

	tests := []struct {
		name    string
		groups  []string
		nesting bool
		want    []string // users created, or
		wantErr string   // the run's error
		is      error
	}{
		{"direct members by displayName", []string{"Sales"}, false, []string{"ann@contoso.test"}, "", nil},
		{"nested members with nesting on", []string{"Sales"}, true, []string{"ann@contoso.test", "bob@contoso.test"}, "", nil},
		{"by object id", []string{nested}, false, []string{"bob@contoso.test"}, "", nil},
		{"quote in the name", []string{"O'Brien's team"}, false, []string{"carol@contoso.test"}, "", nil},
		{"missing group", []string{"Sales", "No such group"}, false, nil, "scope.groups[1]", grouprules.ErrScopeGroupMissing},
		{"unknown object id", []string{"00000000-0000-4000-8000-000000000000"}, false, nil, "scope.groups[0]", grouprules.ErrScopeGroupMissing},
		{"only guests: matches nobody", []string{"Partners"}, false, nil, "scope.groups", grouprules.ErrScopeMatchesNobody},
		{"two groups share the name", []string{"Twin"}, false, nil, "scope.groups[0]", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := apptest.Open(t, "", nil)
			applyEntra(t, a, g, map[string]any{"followNestedGroups": tc.nesting, "scope": map[string]any{"groups": tc.groups}})
			rep, err := a.Sync(context.Background(), "entra", app.SyncOptions{})
			if tc.wantErr != "" {
				msg := ""
				if err != nil {
					msg = err.Error()
				} else if rep != nil {
					msg = rep.Error
				}
				if !strings.Contains(msg, tc.wantErr) || (tc.is != nil && err != nil && !errors.Is(err, tc.is)) {
					t.Fatalf("err = %v, report %+v; want %q", err, rep, tc.wantErr)
				}
				if got := entraUsers(t, a); len(got) != 0 {
					t.Fatalf("a failed scope created %v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v %+v", err, rep)
			}
			got := entraUsers(t, a)
			if len(got) != len(tc.want) {
				t.Fatalf("users = %v, want %v", got, tc.want)
			}
			for _, u := range tc.want {
				if got[u] != "active" {
					t.Errorf("%s is %q (all %v)", u, got[u], got)
				}
			}
		})
	}
}

// Entra has no DNs: a DN in scope.groups, or anything but an object id in
// scope.users, is refused at apply naming the field, every problem at once.
func TestEntraScopeValidation(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	a := apptest.Open(t, "", nil)
	doc := entratest.Doc(g)
	doc["scope"] = map[string]any{"groups": []string{"cn=Sales,ou=groups,dc=example,dc=com", "", "Sales"}, "users": []string{"ann@contoso.test"}}
	raw, _ := json.Marshal(doc)
	_, _, err := a.ApplyConnection(context.Background(), raw)
	if err == nil {
		t.Fatal("applied")
	}
	for _, f := range []string{"scope.groups[0]", "scope.groups[1]", "scope.users[0]"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s not named: %v", f, err)
		}
	}
	if strings.Contains(err.Error(), "scope.groups[2]") {
		t.Errorf("a displayName was refused: %v", err)
	}
}
