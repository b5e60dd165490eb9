package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// testUniqueUserIDs: each user must have a unique userId. Two active users
// never share one, compared case-insensitively, across connections and
// sources; the write that would make a second one fails and changes
// nothing, and a local user's refusal names the holder.
func testUniqueUserIDs(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := createUsers(t, s, "a", active("1", "Dup"), store.User{ExternalID: "2", UserID: "gone", Status: store.StatusInactive})
	holder := ids["1"]
	refused := []struct {
		name string
		b    store.Batch
	}{
		{"same userId in another connection, other case", store.Batch{Connection: "b", Creates: []store.User{active("1", "dUP")}}},
		{"two creates in one batch", store.Batch{Connection: "b", Creates: []store.User{active("7", "pair"), active("8", "PAIR")}}},
		{"same connection, another entry", store.Batch{Connection: "a", Creates: []store.User{active("3", "dup")}}},
		{"activation of an inactive namesake", store.Batch{Connection: "a", Updates: []store.User{{ID: ids["2"], UserID: "DUP", Status: store.StatusActive}}}},
	}
	for _, r := range refused {
		r.b.RunID = newRun(t, s, r.b.Connection)
		tok := "must-not-be-saved"
		r.b.Token = &tok
		if err := s.Apply(ctx, r.b); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: Apply = %v, want ErrConflict", r.name, err)
		}
		if got, _ := s.FindActiveUsers(ctx, []string{"dup", "pair"}); len(got) != 1 || got[0].ID != holder {
			t.Fatalf("%s: active holders after a refused batch = %+v, want only row %d", r.name, got, holder)
		}
	}
	// Inactive namesakes are allowed, in any number.
	createUsers(t, s, "b", store.User{ExternalID: "1", UserID: "DUP", Status: store.StatusInactive},
		store.User{ExternalID: "2", UserID: "dup", Status: store.StatusInactive})
	// A local user cannot take an active user's userId, and the refusal
	// names the holder.
	_, err := s.CreateLocalUser(ctx, store.User{UserID: "DUP"})
	var held *store.HeldError
	if !errors.As(err, &held) || !errors.Is(err, store.ErrConflict) || held.Holder.ID != holder || held.Holder.Connection != "a" {
		t.Fatalf("local user with an active user's userId = %v, want a HeldError naming row %d of connection a", err, holder)
	}
	local, err := s.CreateLocalUser(ctx, store.User{UserID: "Root"})
	if err != nil {
		t.Fatal(err)
	}
	run := newRun(t, s, "a")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "a", Creates: []store.User{active("9", "root")}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("directory user with a local user's userId = %v, want ErrConflict", err)
	}
	other, err := s.CreateLocalUser(ctx, store.User{UserID: "other"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.UpdateLocalUser(ctx, store.User{ID: other, UserID: "dup", Status: store.StatusActive})
	if !errors.As(err, &held) || held.Holder.ID != holder {
		t.Fatalf("rename a local user to an active user's userId = %v, want a HeldError naming row %d", err, holder)
	}
	// In one batch, a user who leaves frees the userId for one who
	// arrives: deactivated, deleted or retired, and updates that
	// deactivate before those that activate, whatever their order.
	b := createUsers(t, s, "c", active("d1", "swap1"), active("d2", "swap2"), active("d3", "swap3"), store.User{ExternalID: "d4", UserID: "swap4", Status: store.StatusInactive}, active("d5", "swap4"))
	run = newRun(t, s, "c")
	err = s.Apply(ctx, store.Batch{RunID: run, Connection: "c",
		Deactivate: []int64{b["d1"]}, Delete: []int64{b["d2"]}, Retire: []store.Retirement{{ID: b["d3"], ExternalID: "d3#retired"}},
		Updates: []store.User{{ID: b["d4"], UserID: "swap4", Status: store.StatusActive}, {ID: b["d5"], UserID: "swap4", Status: store.StatusInactive}},
		Creates: []store.User{active("n1", "SWAP1"), active("n2", "Swap2"), active("d3", "swap3")}})
	if err != nil {
		t.Fatalf("batch where users leave and others take their userIds: %v", err)
	}
	got, err := s.FindActiveUsers(ctx, []string{"swap1", "SWAP2", "swap3", "swap4", "", "Root", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.User{}
	for _, u := range got {
		byID[u.UserID] = u
	}
	if len(got) != 5 || byID["SWAP1"].ExternalID != "n1" || byID["Swap2"].ExternalID != "n2" || byID["swap3"].ID == b["d3"] ||
		byID["swap4"].ID != b["d4"] || byID["Root"].ID != local {
		t.Fatalf("FindActiveUsers = %+v", got)
	}
	if dups, err := s.DuplicateUserIDs(ctx); err != nil || len(dups) != 0 {
		t.Fatalf("DuplicateUserIDs = %+v, %v; want none", dups, err)
	}
	if got, err := s.FindActiveUsers(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("FindActiveUsers(nil) = %+v, %v", got, err)
	}
}
