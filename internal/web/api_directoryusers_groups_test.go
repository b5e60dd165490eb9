package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/demodir"
	"github.com/usersync/usersync/internal/store"
)

// TestDirectoryUsersAPIKeepsGroupRules: adding or updating a synced
// directory user through the API applies the group rules as a full run
// does, so a super user of the demo keeps the flag and every membership.
func TestDirectoryUsersAPIKeepsGroupRules(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	ctx := t.Context()
	sets, groups, sites := demodir.AppEntities()
	for kind, names := range map[string][]string{store.KindPermissionSet: sets, store.KindGroup: groups, store.KindSite: sites} {
		for _, n := range names {
			if _, err := e.app.Store.CreateEntity(ctx, kind, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.app.Sync(ctx, "demo", app.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	users, err := e.app.Store.ListUsers(ctx, store.UserQuery{Connection: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	var super *store.User
	for i := range users {
		if users[i].SuperUser {
			super = &users[i]
			break
		}
	}
	if super == nil {
		t.Fatal("the demo sync made nobody a super user")
	}
	found, _, err := e.app.SearchDirectoryUsers(ctx, "demo", super.UserID)
	if err != nil || len(found) != 1 {
		t.Fatalf("search %s: %v %+v", super.UserID, err, found)
	}
	c := e.login()
	for _, dry := range []bool{true, false} {
		req, _ := json.Marshal(addUserRequest{DN: found[0].DN, DryRun: dry})
		code, body := c.api("POST", "/api/v1/connections/demo/directory-users/add", string(req))
		var v addUserView
		if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil {
			t.Fatalf("add %s: %d %v %s", found[0].DN, code, err, body)
		}
		if v.Unchanged != 1 || v.Updated != 0 || v.MembershipChanges != 0 || len(v.Plan) != 0 {
			t.Fatalf("add of a synced super user (dry run %v) changed something: %+v, plan %+v", dry, v.Report.Counts, v.Plan)
		}
	}
	// The UI's Show plan and Add / update: the counts and the plan agree,
	// and nothing is planned.
	for _, action := range []string{"plan", "add"} {
		code, body := c.form("/users/add", url.Values{"connection": {"demo"}, "dn": {found[0].DN}, "action": {action}})
		if code != 200 || !strings.Contains(body, "0 updated, 1 unchanged") || strings.Contains(body, "→") ||
			!strings.Contains(body, "Already in step with the directory.") {
			t.Fatalf("UI %s of a synced super user: %d\n%s", action, code, body)
		}
	}
	if u, err := e.app.Store.GetUser(ctx, super.ID); err != nil || !u.SuperUser {
		t.Fatalf("after the add %s is super user %v (%v)", super.UserID, u.SuperUser, err)
	}
}
