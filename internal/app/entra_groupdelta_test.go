package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/entratest"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// entraHoldings lists, by userPrincipalName, the permission sets the rules
// gave each Entra user and whether it is a super user.
func entraHoldings(t *testing.T, a *app.App) map[string][]string {
	t.Helper()
	ctx := context.Background()
	users, err := a.Store.ListUsers(ctx, store.UserQuery{Connection: "entra"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, u := range users {
		ms, err := a.UserMemberships(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Name)
		}
		if u.SuperUser {
			got = append(got, "superUser")
		}
		slices.Sort(got)
		out[u.UserID] = got
	}
	return out
}

// Issue: an incremental run reads /groups/delta from its own deltaLink
// ("members@delta additions and removals"), so that an unchanged run reads
// no group in full and a membership change reads only that change and the
// users it affects, while a nested group's change, a deleted group and a
// renamed group stay correct without a full run. One member to a page:
// a group's members are split over several responses.
func TestEntraIncrementalAppliesGroupDelta(t *testing.T) {
	g := entratest.Start(t, graph.Options{PageSize: 2, MembersPerPage: 1})
	ids := map[string]string{}
	for _, u := range []string{"ann", "bob", "carol", "dave", "erin"} {
		id, err := g.PutUser(graph.User{UserPrincipalName: u + "@contoso.test", DisplayName: u})
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = id
	}
	put := func(name string, members ...string) string {
		t.Helper()
		id, err := g.PutGroup(graph.Group{DisplayName: name, Members: members})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	platform := put("Platform", ids["dave"])
	engineering := put("Engineering", ids["ann"], platform)
	admins := put("Administrator", ids["carol"])
	ops := put("Ops", ids["erin"])

	a := apptest.Open(t, "", nil)
	ctx := context.Background()
	for _, n := range []string{"Engineering", "Platform", "Ops"} {
		if _, err := a.CreateEntity(ctx, "permissionSet", n); err != nil {
			t.Fatal(err)
		}
	}
	applyEntra(t, a, g, map[string]any{"followNestedGroups": true})
	if rep, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil || rep.Mode != store.ModeFull {
		t.Fatalf("first run: %v %+v", err, rep)
	}

	type want map[string][]string
	steps := []struct {
		name   string
		change func() error
		want   want
		// reads are the only users read one by one.
		reads []string
	}{
		{"unchanged", func() error { return nil }, want{
			"ann@contoso.test": {"Engineering"}, "carol@contoso.test": {"superUser"},
			"dave@contoso.test": {"Engineering", "Platform"}, "erin@contoso.test": {"Ops"}}, nil},
		{"user added to a nested group", func() error { return g.AddMember(platform, ids["bob"]) }, want{
			"ann@contoso.test": {"Engineering"}, "bob@contoso.test": {"Engineering", "Platform"}, "carol@contoso.test": {"superUser"},
			"dave@contoso.test": {"Engineering", "Platform"}, "erin@contoso.test": {"Ops"}}, []string{"bob"}},
		{"user removed", func() error { return g.RemoveMember(platform, ids["dave"]) }, want{
			"ann@contoso.test": {"Engineering"}, "bob@contoso.test": {"Engineering", "Platform"}, "carol@contoso.test": {"superUser"},
			"erin@contoso.test": {"Ops"}}, []string{"dave"}},
		{"group nested into another", func() error { return g.AddMember(engineering, ops) }, want{
			"ann@contoso.test": {"Engineering"}, "bob@contoso.test": {"Engineering", "Platform"}, "carol@contoso.test": {"superUser"},
			"erin@contoso.test": {"Engineering", "Ops"}}, []string{"erin"}},
		{"nested group deleted", func() error { return g.DeleteGroup(platform) }, want{
			"ann@contoso.test": {"Engineering"}, "carol@contoso.test": {"superUser"},
			"erin@contoso.test": {"Engineering", "Ops"}}, []string{"bob"}},
		{"group renamed", func() error {
			_, err := g.PutGroup(graph.Group{ID: admins, DisplayName: "Former admins", Members: []string{ids["carol"]}})
			return err
		}, want{"ann@contoso.test": {"Engineering"}, "erin@contoso.test": {"Engineering", "Ops"}}, []string{"carol"}},
	}
	for _, s := range steps {
		if err := s.change(); err != nil {
			t.Fatal(err)
		}
		g.ClearRequests()
		rep, err := a.Sync(ctx, "entra", app.SyncOptions{})
		if err != nil || rep.Status != "succeeded" || rep.Mode != store.ModeIncremental {
			t.Fatalf("%s: %v %+v", s.name, err, rep)
		}
		var reads []string
		for _, r := range g.Requests() {
			switch {
			case r.Path == "/v1.0/groups/delta" && r.Query.Get("$deltatoken") == "" && r.Query.Get("$skiptoken") == "":
				t.Errorf("%s: the groups were read in full (%s)", s.name, r.Query.Encode())
			case strings.HasPrefix(r.Path, "/v1.0/users/") && r.Path != "/v1.0/users/delta":
				id := strings.TrimPrefix(r.Path, "/v1.0/users/")
				for n, uid := range ids {
					if uid == id {
						id = n
					}
				}
				reads = append(reads, id)
			}
		}
		slices.Sort(reads)
		if !slices.Equal(reads, s.reads) {
			t.Errorf("%s: users read one by one %q, want %q", s.name, reads, s.reads)
		}
		got := entraHoldings(t, a)
		for u, w := range s.want {
			if !slices.Equal(got[u], w) {
				t.Errorf("%s: %s holds %q, want %q", s.name, u, got[u], w)
			}
		}
		for u, h := range got {
			if _, ok := s.want[u]; !ok && len(h) > 0 {
				t.Errorf("%s: %s holds %q, want nothing", s.name, u, h)
			}
		}
	}
}

// Issue: "HTTP 410 / syncStateNotFound ... start a full read, and say so in
// the run's mode": when Graph no longer knows the saved groups link, the
// groups are read again and the run is full, naming the groups' link.
func TestEntraExpiredGroupsLinkIsAFullRun(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	ann, err := g.PutUser(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutGroup(graph.Group{DisplayName: "Engineering", Members: []string{ann}}); err != nil {
		t.Fatal(err)
	}
	a := apptest.Open(t, "", nil)
	ctx := context.Background()
	if _, err := a.CreateEntity(ctx, "permissionSet", "Engineering"); err != nil {
		t.Fatal(err)
	}
	applyEntra(t, a, g, nil)
	if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	g.ExpireDeltaTokens()
	rep, err := a.Sync(ctx, "entra", app.SyncOptions{})
	if err != nil || rep.Mode != store.ModeFull || !strings.Contains(strings.Join(rep.Warnings, "\n"), "groups delta link") {
		t.Fatalf("%v %+v", err, rep)
	}
	if got := entraHoldings(t, a)["ann@contoso.test"]; !slices.Equal(got, []string{"Engineering"}) {
		t.Fatalf("ann holds %q after the full run", got)
	}
	// The full run saved fresh links: the next run is incremental again.
	if rep, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil || rep.Mode != store.ModeIncremental {
		t.Fatalf("%v %+v", err, rep)
	}
}

// Issue: "a page that fails half-way (the run fails and deactivates
// nobody)" holds for the groups' delta too: with groupStatusRule a user
// who left every group becomes inactive, yet a failed groups page changes
// nobody and keeps the token, and the next run applies the same change.
func TestEntraGroupsDeltaFailingHalfWay(t *testing.T) {
	g := entratest.Start(t, graph.Options{PageSize: 1, MembersPerPage: 1})
	ids := map[string]string{}
	for _, u := range []string{"ann", "bob"} {
		id, err := g.PutUser(graph.User{UserPrincipalName: u + "@contoso.test", DisplayName: u})
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = id
	}
	staff, err := g.PutGroup(graph.Group{DisplayName: "Staff", Members: []string{ids["ann"], ids["bob"]}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := g.PutGroup(graph.Group{DisplayName: "Other", Members: []string{ids["ann"]}})
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.Open(t, "", nil)
	ctx := context.Background()
	applyEntra(t, a, g, map[string]any{"groupStatusRule": true})
	if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := g.RemoveMember(staff, ids["bob"]); err != nil {
		t.Fatal(err)
	}
	if err := g.RemoveMember(other, ids["ann"]); err != nil {
		t.Fatal(err)
	}
	g.FailPage(graph.Fault{Resource: "groups", Page: 2, Status: 500})
	rep, err := a.Sync(ctx, "entra", app.SyncOptions{})
	if err == nil && rep.Status == "succeeded" {
		t.Fatalf("a failed groups page did not fail the run: %+v", rep)
	}
	if got := entraUsers(t, a); got["bob@contoso.test"] != store.StatusActive || got["ann@contoso.test"] != store.StatusActive {
		t.Fatalf("a failed read changed users: %v", got)
	}
	rep, err = a.Sync(ctx, "entra", app.SyncOptions{})
	if err != nil || rep.Mode != store.ModeIncremental {
		t.Fatalf("%v %+v", err, rep)
	}
	if got := entraUsers(t, a); got["bob@contoso.test"] != store.StatusInactive || got["ann@contoso.test"] != store.StatusActive {
		t.Fatalf("after the repeat: %v (bob left every group, ann is still in Staff)", got)
	}
}

// Renaming a group of 2,100 users changes the memberships of more users
// than are worth reading one by one: the run reads everyone instead and
// says so in its mode and warnings.
func TestEntraManyAffectedUsersIsAFullRun(t *testing.T) {
	g := entratest.Start(t, graph.Options{PageSize: 999, MembersPerPage: 1000})
	if err := g.Generate(graph.Scale{Users: 2100, Groups: 1, BigGroupMembers: 2100}); err != nil {
		t.Fatal(err)
	}
	a := apptest.Open(t, "", nil)
	ctx := context.Background()
	applyEntra(t, a, g, map[string]any{"pageSize": 999})
	if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutGroup(graph.Group{ID: graph.GenGroupID(0), DisplayName: "Renamed", Members: g.Members(graph.GenGroupID(0))}); err != nil {
		t.Fatal(err)
	}
	g.ClearRequests()
	rep, err := a.Sync(ctx, "entra", app.SyncOptions{})
	if err != nil || rep.Mode != store.ModeFull || !strings.Contains(strings.Join(rep.Warnings, "\n"), "2100 users") {
		t.Fatalf("%v %+v", err, rep)
	}
	for _, r := range g.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/users/") && r.Path != "/v1.0/users/delta" {
			t.Fatalf("read %s one by one", r.Path)
		}
	}
}
