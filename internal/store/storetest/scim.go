package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// testSCIMTokens: a token is found by its hash only, names are unique per
// connection, and a revoked token (or another connection's id) is gone.
func testSCIMTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, err := s.CreateSCIMToken(ctx, store.SCIMToken{Connection: "entra", Name: "prod", Hash: "h1", CreatedBy: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSCIMToken(ctx, store.SCIMToken{Connection: "entra", Name: "prod", Hash: "h2", CreatedBy: "cli"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second token named prod = %v, want ErrConflict", err)
	}
	if _, err := s.CreateSCIMToken(ctx, store.SCIMToken{Connection: "okta", Name: "prod", Hash: "h3", CreatedBy: "cli"}); err != nil {
		t.Fatalf("the same name on another connection: %v", err)
	}
	got, err := s.SCIMTokenByHash(ctx, "h1")
	if err != nil || got.ID != id || got.Connection != "entra" || got.Name != "prod" || got.CreatedAt.IsZero() {
		t.Fatalf("SCIMTokenByHash = %+v, %v", got, err)
	}
	for _, h := range []string{"H1", "", "h2"} {
		if _, err := s.SCIMTokenByHash(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SCIMTokenByHash(%q) = %v, want ErrNotFound", h, err)
		}
	}
	list, err := s.ListSCIMTokens(ctx, "entra")
	if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
		t.Fatalf("ListSCIMTokens = %+v, %v; want one token with its last use", list, err)
	}
	if err := s.DeleteSCIMToken(ctx, "okta", id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoking entra's token through okta = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSCIMToken(ctx, "entra", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SCIMTokenByHash(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a revoked token = %v, want ErrNotFound", err)
	}
}

// testSCIMResources: userName keys are unique per connection and kind, a
// replace bumps the version, and lookups by name or externalId find only
// exact matches.
func testSCIMResources(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := store.SCIMResource{Connection: "entra", Kind: store.SCIMUser, ID: "a", NameKey: "bjensen@example.com", ExternalID: "x1", Body: []byte(`{"userName":"bjensen@example.com"}`)}
	got, err := s.PutSCIMResource(ctx, u, true)
	if err != nil || got.Version != 1 || string(got.Body) != string(u.Body) || got.CreatedAt.IsZero() {
		t.Fatalf("create = %+v, %v", got, err)
	}
	dup := u
	dup.ID = "b"
	if _, err := s.PutSCIMResource(ctx, dup, true); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second user with the same userName = %v, want ErrConflict", err)
	}
	if _, err := s.PutSCIMResource(ctx, u, true); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the same id twice = %v, want ErrConflict", err)
	}
	other := dup
	other.Connection = "okta"
	if _, err := s.PutSCIMResource(ctx, other, true); err != nil {
		t.Fatalf("the same userName on another connection: %v", err)
	}
	// Groups have no name key: two groups may share a displayName.
	for _, id := range []string{"g1", "g2"} {
		if _, err := s.PutSCIMResource(ctx, store.SCIMResource{Connection: "entra", Kind: store.SCIMGroup, ID: id, Body: []byte(`{}`)}, true); err != nil {
			t.Fatal(err)
		}
	}
	u.Body = []byte(`{"userName":"bjensen@example.com","active":false}`)
	got, err = s.PutSCIMResource(ctx, u, false)
	if err != nil || got.Version != 2 || string(got.Body) != string(u.Body) {
		t.Fatalf("replace = %+v, %v", got, err)
	}
	missing := u
	missing.ID = "nope"
	if _, err := s.PutSCIMResource(ctx, missing, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replace of an unknown id = %v, want ErrNotFound", err)
	}
	for _, q := range []struct {
		q    store.SCIMQuery
		want int
	}{
		{store.SCIMQuery{Connection: "entra", Kind: store.SCIMUser}, 1},
		{store.SCIMQuery{Connection: "entra", Kind: store.SCIMGroup}, 2},
		{store.SCIMQuery{Connection: "entra", Kind: store.SCIMUser, NameKey: "bjensen@example.com"}, 1},
		{store.SCIMQuery{Connection: "entra", Kind: store.SCIMUser, NameKey: "BJENSEN@example.com"}, 0},
		{store.SCIMQuery{Connection: "entra", Kind: store.SCIMUser, ExternalID: "x1"}, 1},
		{store.SCIMQuery{Connection: "entra", Kind: store.SCIMUser, ExternalID: "x2"}, 0},
		{store.SCIMQuery{Connection: "nobody", Kind: store.SCIMUser}, 0},
	} {
		list, err := s.ListSCIMResources(ctx, q.q)
		if err != nil || len(list) != q.want {
			t.Errorf("ListSCIMResources(%+v) = %d, %v; want %d", q.q, len(list), err, q.want)
		}
	}
	if err := s.DeleteSCIMResource(ctx, "entra", store.SCIMUser, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSCIMResource(ctx, "entra", store.SCIMUser, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted resource = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSCIMResource(ctx, "entra", store.SCIMUser, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting twice = %v, want ErrNotFound", err)
	}
}

// testIndexEntries: the entries of the named external ids only, equal to
// what ScanIndex gives for them, and the connection's active count.
func testIndexEntries(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, c := range []string{"corp", "other"} {
		if err := s.PutConnection(ctx, conn(c), ""); err != nil {
			t.Fatal(err)
		}
	}
	run := newRun(t, s, "corp")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Creates: []store.User{
		{ExternalID: "a", UserID: "alice", Status: store.StatusActive, Hash: 7},
		{ExternalID: "b", UserID: "bob", Status: store.StatusActive},
		{ExternalID: "c", UserID: "carol", Status: store.StatusInactive},
	}}); err != nil {
		t.Fatal(err)
	}
	other := newRun(t, s, "other")
	if err := s.Apply(ctx, store.Batch{RunID: other, Connection: "other", Creates: []store.User{{ExternalID: "a", UserID: "zed", Status: store.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	all := index(t, s, "corp")
	got, active, err := s.IndexEntries(ctx, "corp", []string{"a", "c", "nobody", "A"})
	if err != nil || active != 2 || len(got) != 2 {
		t.Fatalf("IndexEntries = %+v, %d, %v; want a and c, and 2 active", got, active, err)
	}
	for _, e := range got {
		want := all[e.ExternalID]
		if e.ID != want.ID || e.UserID != want.UserID || e.Status != want.Status || e.Hash != want.Hash {
			t.Errorf("IndexEntries gave %+v, ScanIndex %+v", e, want)
		}
	}
	if got, active, err := s.IndexEntries(ctx, "corp", nil); err != nil || len(got) != 0 || active != 2 {
		t.Fatalf("IndexEntries(none) = %+v, %d, %v", got, active, err)
	}
}
