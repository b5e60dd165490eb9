package scimtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

const softDelete = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`

// TestGuardHoldsABurst: deactivations above the deletion guard, counted
// over the client's recent requests, are held in one run for approval;
// nobody of them is deactivated until it is approved, the client is told
// to retry (429 with Retry-After), a retry adds nothing twice, other
// writes go on, and approval deactivates exactly the held users.
func TestGuardHoldsABurst(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{Doc: `{"deletionGuard":{"maxCount":3}}`})
		ctx := context.Background()
		var ids []string
		for i := range 10 {
			ids = append(ids, create(t, s, fmt.Sprintf("burst%d@contoso.com", i), "b@contoso.com"))
		}
		for _, id := range ids[:3] {
			mustStatus(t, s.Do("PATCH", "/Users/"+id, softDelete), 204)
		}
		for _, id := range ids[3:6] {
			r := s.Do("PATCH", "/Users/"+id, softDelete)
			scimError(t, r, 429, "")
			if r.Header.Get("Retry-After") == "" {
				t.Fatalf("a held deactivation without Retry-After: %v", r.Header)
			}
		}
		scimError(t, s.Do("PATCH", "/Users/"+ids[3], softDelete), 429, "") // a retry
		scimError(t, s.Do("DELETE", "/Users/"+ids[6], ""), 429, "")
		mustStatus(t, s.Do("GET", "/Users/"+ids[6], ""), 200)
		for i, id := range ids {
			u, _ := appUser(t, s, id)
			if want := i < 3; (u.Status == store.StatusInactive) != want {
				t.Errorf("user %d is %s during the hold", i, u.Status)
			}
		}
		mustStatus(t, s.Do("POST", "/Users", createBody("newcomer@contoso.com", "n@contoso.com")), 201)

		held, err := s.App.Store.ListRuns(ctx, store.RunQuery{Connection: s.Conn, Status: store.RunAwaitingApproval})
		if err != nil || len(held) != 1 || held[0].PendingDeactivations != 4 {
			t.Fatalf("held runs %+v, %v; want one holding 4", held, err)
		}
		if _, err := s.App.ApproveRun(ctx, held[0].ID); err != nil {
			t.Fatalf("approve: %v", err)
		}
		for i, id := range ids {
			u, _ := appUser(t, s, id)
			if want := i < 7; (u.Status == store.StatusInactive) != want {
				t.Errorf("user %d is %s after the approval", i, u.Status)
			}
		}
		mustStatus(t, s.Do("PATCH", "/Users/"+ids[4], softDelete), 204)
		mustStatus(t, s.Do("DELETE", "/Users/"+ids[6], ""), 204)
	})
}
