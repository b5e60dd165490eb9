package scimtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// TestGroupCommit: writes of one connection that arrive together are
// applied in shared batches, and still each gets its own answer: a
// userName whose userId a local user holds is 409 uniqueness, a value a
// mapping refuses is 400, a second create of one userName is 409, and
// none of those leaves a resource or a user, while every other write of
// the same batches stands and its outcome names its own request.
func TestGroupCommit(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{Doc: customDoc})
		ctx := context.Background()
		if _, err := s.App.AddLocalUser(ctx, app.LocalUser{UserID: "boss@example.com", Password: "Str0ng-Passw0rd!x", DisplayName: "Boss"}); err != nil {
			t.Fatal(err)
		}
		b := app.NewSCIMBackend(s.App)
		g, err := b.Create(ctx, s.Conn, scim.KindGroup, scim.Resource{"displayName": "Batch Group"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 48
		type result struct {
			req string
			id  string
			err error
		}
		results := make([]result, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := fmt.Sprintf("batch-req-%d", i)
				rctx := scim.WithRequestID(ctx, req)
				user := scim.Resource{"userName": fmt.Sprintf("u%d@example.com", i), "title": fmt.Sprintf("t%d", i)}
				switch i {
				case 7:
					user["userName"] = "BOSS@example.com"
				case 19:
					user["title"] = "evil$$$Custom9=injected"
				case 30, 31:
					user["userName"] = "twin@example.com"
				}
				st, err := b.Create(rctx, s.Conn, scim.KindUser, user)
				results[i] = result{req: req, id: st.ID, err: err}
				if err != nil || i%3 != 0 {
					return
				}
				// A member PATCH of the shared group, batched with the
				// creates of the others.
				_, err = b.Update(rctx, s.Conn, scim.KindGroup, g.ID, func(r scim.Resource) (scim.Resource, error) {
					next := scim.Resource{}
					for k, v := range r {
						next[k] = v
					}
					list, _ := r["members"].([]any)
					next["members"] = append(append([]any{}, list...), map[string]any{"value": st.ID})
					return next, nil
				})
				if err != nil {
					results[i].err = fmt.Errorf("member patch: %w", err)
				}
			}()
		}
		wg.Wait()
		batches, writes := b.Stats()
		if writes < n || batches >= writes {
			t.Errorf("%d writes in %d batches: no batch held more than one write", writes, batches)
		}
		twins := 0
		outcomes := outcomesByUser(t, s)
		for i, r := range results {
			var e *scim.Error
			switch {
			case i == 7:
				if !errors.As(r.err, &e) || e.Status != 409 || e.Type != scim.TypeUniqueness {
					t.Errorf("the userName of a local user's userId: %v, want 409 uniqueness", r.err)
				}
			case i == 19:
				if !errors.As(r.err, &e) || e.Status != 400 || e.Type != scim.TypeInvalidValue {
					t.Errorf("an injected separator: %v, want 400 invalidValue", r.err)
				}
			case i == 30 || i == 31:
				if r.err == nil {
					twins++
				} else if !errors.As(r.err, &e) || e.Status != 409 {
					t.Errorf("a second create of one userName: %v, want 409", r.err)
				}
			case r.err != nil:
				t.Errorf("request %d of the batch failed: %v", i, r.err)
			default:
				warns, ok := outcomes[r.id]
				if !ok {
					t.Errorf("request %d: no application user %s", i, r.id)
				} else if !contains(warns, "SCIM request "+r.req) {
					t.Errorf("request %d: its outcome names %v, not its own request", i, warns)
				}
			}
		}
		if twins != 1 {
			t.Errorf("%d of two creates of one userName succeeded, want 1", twins)
		}
		list, err := b.List(ctx, s.Conn, scim.KindUser, scim.Hint{})
		if err != nil {
			t.Fatal(err)
		}
		if want := n - 3; len(list) != want {
			t.Errorf("%d User resources, want %d: a refused write left one", len(list), want)
		}
		users, err := s.App.Store.ListUsers(ctx, store.UserQuery{Connection: s.Conn})
		if err != nil {
			t.Fatal(err)
		}
		if want := n - 3; len(users) != want {
			t.Errorf("%d application users, want %d", len(users), want)
		}
		got, err := b.Get(ctx, s.Conn, scim.KindGroup, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		patched := 0 // a create refused makes no member patch
		for i, r := range results {
			if i%3 == 0 && r.err == nil {
				patched++
			}
		}
		if m, _ := got.Resource["members"].([]any); len(m) != patched {
			t.Errorf("%d members after %d member patches: %v", len(m), patched, got.Resource["members"])
		}
	})
}

// outcomesByUser returns the warnings of every outcome of the connection's
// runs by the user's external id (its SCIM id).
func outcomesByUser(t *testing.T, s *Server) map[string][]string {
	t.Helper()
	ctx := context.Background()
	runs, err := s.App.Store.ListRuns(ctx, store.RunQuery{Connection: s.Conn})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range runs {
		outs, err := s.App.Store.ListOutcomes(ctx, r.ID, store.OutcomeQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if o.Action == store.ActionCreated {
				out[o.ExternalID] = append(out[o.ExternalID], o.Warnings...)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestGroupCommitDeactivations: without a deletion guard, soft deletes
// share batches with other writes; each user ends as its own request
// left it.
func TestGroupCommitDeactivations(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{Doc: `{"deletionGuard":{"disabled":true}}`})
		ctx := context.Background()
		b := app.NewSCIMBackend(s.App)
		const n = 32
		ids := make([]string, n)
		for i := range n {
			st, err := b.Create(ctx, s.Conn, scim.KindUser, scim.Resource{"userName": fmt.Sprintf("d%d@example.com", i)})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = st.ID
		}
		_, before := b.Stats()
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = b.Update(ctx, s.Conn, scim.KindUser, ids[i], func(r scim.Resource) (scim.Resource, error) {
					next := scim.Resource{}
					for k, v := range r {
						next[k] = v
					}
					if i%2 == 0 {
						next["active"] = false
					} else {
						next["title"] = "kept"
					}
					return next, nil
				})
			}()
		}
		wg.Wait()
		batches, writes := b.Stats()
		if writes-before != n || batches >= writes {
			t.Errorf("%d writes in %d batches", writes, batches)
		}
		for i, id := range ids {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			u, ok := appUser(t, s, id)
			switch {
			case !ok:
				t.Errorf("user %d is gone", i)
			case i%2 == 0 && u.Status != store.StatusInactive:
				t.Errorf("user %d is %s after its soft delete", i, u.Status)
			case i%2 == 1 && (u.Status != store.StatusActive || u.Fields["title"] != "kept"):
				t.Errorf("user %d: %s %+v after a title change", i, u.Status, u.Fields)
			}
		}
	})
}
