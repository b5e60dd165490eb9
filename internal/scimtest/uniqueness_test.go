package scimtest

import (
	"context"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// TestOneActiveUserPerUserID: a userName whose userId another active user
// holds (here a local user, in another case) is 409 uniqueness, through
// the engine's own rule, and leaves neither a resource nor a user.
func TestOneActiveUserPerUserID(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		ctx := context.Background()
		if _, err := s.App.AddLocalUser(ctx, app.LocalUser{UserID: "boss@example.com", Password: "Str0ng-Passw0rd!x", DisplayName: "Boss"}); err != nil {
			t.Fatal(err)
		}
		scimError(t, s.Do("POST", "/Users", createBody("BOSS@example.com", "b@example.com")), 409, "uniqueness")
		if r := s.Do("GET", "/Users", ""); r.JSON["totalResults"] != float64(0) {
			t.Fatalf("a refused create left a resource: %s", r.Raw)
		}
		users, _ := s.App.Store.ListUsers(ctx, store.UserQuery{Connection: s.Conn})
		if len(users) != 0 {
			t.Fatalf("users %+v", users)
		}
		// A rename onto the held userId is refused the same way, and the
		// resource keeps its old userName.
		id := create(t, s, "worker@example.com", "w@example.com")
		scimError(t, s.Do("PATCH", "/Users/"+id, `{"Operations":[{"op":"Replace","path":"userName","value":"boss@example.com"}]}`), 409, "uniqueness")
		if got := s.Do("GET", "/Users/"+id, ""); got.JSON["userName"] != "worker@example.com" {
			t.Fatalf("after a refused rename: %s", got.Raw)
		}
	})
}
