package scimtest

import (
	"context"
	"testing"

	"github.com/usersync/usersync/internal/events"
	"github.com/usersync/usersync/internal/store"
)

// What a SCIM client pushes reaches the change feed like any other change:
// an application that follows the feed from sequence 0 rebuilds exactly
// the users, fields and memberships usersync holds after creates, patches,
// group member changes, a soft delete, a restore and a delete, with the
// requests applied in batches.
func TestSCIMChangesRebuildFromTheFeed(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{Doc: `{"leavePolicy":{"action":"delete"}}`})
		ctx := context.Background()
		if _, err := s.App.Store.CreateEntity(ctx, store.KindGroup, "Sales"); err != nil {
			t.Fatal(err)
		}
		a := create(t, s, "a@contoso.com", "a@contoso.com")
		b := create(t, s, "b@contoso.com", "b@contoso.com")
		c := create(t, s, "c@contoso.com", "c@contoso.com")
		r := s.Do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales"}`)
		mustStatus(t, r, 201)
		gid := r.JSON["id"].(string)
		op := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
		mustStatus(t, s.Do("PATCH", "/Groups/"+gid, op+`{"op":"Add","path":"members","value":[{"value":"`+a+`"},{"value":"`+b+`"},{"value":"`+c+`"}]}]}`), 204)
		mustStatus(t, s.Do("PATCH", "/Users/"+a, op+`{"op":"Replace","path":"title","value":"Buyer"},{"op":"Replace","path":"name.givenName","value":"Ann"}]}`), 204)
		mustStatus(t, s.Do("PATCH", "/Groups/"+gid, op+`{"op":"Remove","path":"members","value":[{"value":"`+b+`"}]}]}`), 204)
		mustStatus(t, s.Do("PATCH", "/Users/"+b, op+`{"op":"Replace","path":"active","value":"False"}]}`), 204)
		mustStatus(t, s.Do("PATCH", "/Users/"+b, op+`{"op":"Replace","path":"active","value":"True"}]}`), 204)
		mustStatus(t, s.Do("DELETE", "/Users/"+c, ""), 204)

		replica := events.NewReplica()
		for after := int64(0); ; {
			page, err := events.Read(ctx, s.App.Store, after, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Events) == 0 {
				break
			}
			for _, e := range page.Events {
				if _, err := replica.Apply(e); err != nil {
					t.Fatalf("event %d: %v", e.Seq, err)
				}
			}
			after = page.Next
		}
		truth, err := events.Snapshot(ctx, s.App.Store)
		if err != nil {
			t.Fatal(err)
		}
		if d := events.Diff(truth, replica); d != "" {
			t.Fatalf("the replica built from the feed differs from the store:\n%s", d)
		}
		if len(truth.Users) != 2 || len(truth.Members) == 0 {
			t.Fatalf("the store holds %d users and %d memberships, want 2 users (c deleted) and a's membership", len(truth.Users), len(truth.Members))
		}
	})
}
