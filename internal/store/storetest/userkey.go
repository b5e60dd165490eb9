package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// testUnicodeUserIDs: two active users never share a userId compared
// case-insensitively, and case is Unicode's, not ASCII's or the database
// locale's: "JÜRGEN" and "jürgen", "ẞ" and "ß", the Kelvin sign and "k"
// are one userId. Lookups by userId fold the same way; "İ" and "i" stay two
// userIds, as strings.EqualFold says.
func testUnicodeUserIDs(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := createUsers(t, s, "a", active("1", "JÜRGEN"), active("2", "STRAẞE"), active("3", "\u212Aim"), active("4", "İlker"))
	refused := []struct {
		name string
		b    store.Batch
	}{
		{"jürgen in another connection", store.Batch{Connection: "b", Creates: []store.User{active("1", "jürgen")}}},
		{"straße, capital sharp s held", store.Batch{Connection: "b", Creates: []store.User{active("2", "straße")}}},
		{"kim, Kelvin sign held", store.Batch{Connection: "b", Creates: []store.User{active("3", "kim")}}},
		{"two in one batch", store.Batch{Connection: "b", Creates: []store.User{active("7", "ÉLODIE"), active("8", "élodie")}}},
	}
	for _, r := range refused {
		r.b.RunID = newRun(t, s, r.b.Connection)
		if err := s.Apply(ctx, r.b); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: Apply = %v, want ErrConflict", r.name, err)
		}
	}
	got, err := s.FindActiveUsers(ctx, []string{"jürgen", "straße", "KIM", "élodie"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != ids["1"] || got[1].ID != ids["2"] || got[2].ID != ids["3"] {
		t.Fatalf("FindActiveUsers(jürgen, straße, KIM, élodie) = %+v, want rows %d, %d, %d", got, ids["1"], ids["2"], ids["3"])
	}
	if found, err := s.FindUsers(ctx, "jürgen"); err != nil || len(found) != 1 || found[0].ID != ids["1"] {
		t.Fatalf("FindUsers(jürgen) = %+v, %v; want row %d", found, err, ids["1"])
	}
	// A dotted capital I is not a capital i: "ilker" is another userId.
	createUsers(t, s, "c", active("1", "ilker"))
	// A local user cannot take an active user's userId in another case.
	_, err = s.CreateLocalUser(ctx, store.User{UserID: "Jürgen"})
	var held *store.HeldError
	if !errors.As(err, &held) || held.Holder.ID != ids["1"] {
		t.Fatalf("local user Jürgen = %v, want a HeldError naming row %d", err, ids["1"])
	}
	local, err := s.CreateLocalUser(ctx, store.User{UserID: "ÅSA"})
	if err != nil {
		t.Fatal(err)
	}
	locals, err := s.LocalUserIDs(ctx)
	if err != nil || !locals[store.UserIDKey("åsa")] {
		t.Fatalf("LocalUserIDs = %v, %v; want the key of ÅSA", locals, err)
	}
	run := newRun(t, s, "b")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "b", Creates: []store.User{active("9", "åsa")}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("directory user åsa beside local ÅSA = %v, want ErrConflict", err)
	}
	// A user may change the case of its own userId.
	run = newRun(t, s, "a")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "a", Updates: []store.User{{ID: ids["1"], UserID: "Jürgen", Status: store.StatusActive}}}); err != nil {
		t.Fatalf("JÜRGEN renamed to Jürgen: %v", err)
	}
	if err := s.UpdateLocalUser(ctx, store.User{ID: local, UserID: "Åsa", Status: store.StatusActive}); err != nil {
		t.Fatalf("local ÅSA renamed to Åsa: %v", err)
	}
	// Once JÜRGEN leaves, jürgen may arrive.
	run = newRun(t, s, "b")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "b", Creates: []store.User{active("1", "jürgen")}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("jürgen while Jürgen is active = %v, want ErrConflict", err)
	}
	run = newRun(t, s, "a")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "a", Deactivate: []int64{ids["1"]}}); err != nil {
		t.Fatal(err)
	}
	createUsers(t, s, "b", active("1", "jürgen"))
	if dups, err := s.DuplicateUserIDs(ctx); err != nil || len(dups) != 0 {
		t.Fatalf("DuplicateUserIDs = %+v, %v; want none", dups, err)
	}
	// A userId another local user holds, active or not, is taken.
	gone, err := s.CreateLocalUser(ctx, store.User{UserID: "ÖMER", Status: store.StatusInactive})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLocalUser(ctx, store.User{UserID: "ömer"}); !errors.As(err, &held) || held.Holder.ID != gone {
		t.Fatalf("local user ömer beside inactive local ÖMER = %v, want a HeldError naming row %d", err, gone)
	}
	bob, err := s.CreateLocalUser(ctx, store.User{UserID: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateLocalUser(ctx, store.User{ID: bob, UserID: "Ömer", Status: store.StatusActive}); !errors.As(err, &held) || held.Holder.ID != gone {
		t.Fatalf("local bob renamed to Ömer = %v, want a HeldError naming row %d", err, gone)
	}
	if err := s.UpdateLocalUser(ctx, store.User{ID: gone, UserID: "Ömer", Status: store.StatusInactive}); err != nil {
		t.Fatalf("inactive ÖMER renamed to Ömer: %v", err)
	}
	if err := s.UpdateLocalUser(ctx, store.User{ID: 1 << 40, UserID: "nobody", Status: store.StatusActive}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateLocalUser of an unknown id = %v, want ErrNotFound", err)
	}
}
