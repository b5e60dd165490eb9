package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

func testAdmins(t *testing.T, s store.Store) {
	ctx := context.Background()
	if n, err := s.CountAdmins(ctx); err != nil || n != 0 {
		t.Fatalf("CountAdmins(empty) = %d, %v", n, err)
	}
	if _, err := s.GetAdmin(ctx, "admin"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetAdmin(missing) = %v, want ErrNotFound", err)
	}
	if err := s.CreateAdmin(ctx, store.Admin{Name: "admin", PasswordHash: "$2a$first"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAdmin(ctx, store.Admin{Name: "admin", PasswordHash: "$2a$second"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second admin of the same name = %v, want ErrConflict", err)
	}
	a, err := s.GetAdmin(ctx, "admin")
	if err != nil || a.Name != "admin" || a.PasswordHash != "$2a$first" || a.CreatedAt.IsZero() {
		t.Fatalf("GetAdmin = %+v, %v; want the first one, unchanged", a, err)
	}
	if n, err := s.CountAdmins(ctx); err != nil || n != 1 {
		t.Fatalf("CountAdmins = %d, %v; want 1", n, err)
	}
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateAdmin(ctx, store.Admin{Name: "admin", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	live := store.Session{IDHash: "live", Admin: "admin", CSRFToken: "csrf", ExpiresAt: time.Now().Add(time.Hour)}
	old := store.Session{IDHash: "old", Admin: "admin", CSRFToken: "c2", ExpiresAt: time.Now().Add(-time.Second)}
	for _, ss := range []store.Session{live, old} {
		if err := s.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetSession(ctx, "live")
	if err != nil || got.Admin != "admin" || got.CSRFToken != "csrf" || got.ExpiresAt.Sub(live.ExpiresAt).Abs() > time.Millisecond || got.CreatedAt.IsZero() {
		t.Fatalf("GetSession = %+v, %v", got, err)
	}
	for _, id := range []string{"old", "LIVE", "", "nope"} {
		if _, err := s.GetSession(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetSession(%q) = %v, want ErrNotFound (expired or unknown)", id, err)
		}
	}
	if err := s.DeleteSession(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, "live"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSession after logout = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, "never-existed"); err != nil {
		t.Fatalf("DeleteSession(unknown) = %v, want nil", err)
	}
}

func testAPITokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	if list, err := s.ListAPITokens(ctx); err != nil || len(list) != 0 {
		t.Fatalf("ListAPITokens(empty) = %+v, %v", list, err)
	}
	expires := time.Now().Add(90 * 24 * time.Hour).Truncate(time.Millisecond)
	first, err := s.CreateAPIToken(ctx, store.APIToken{Name: "ci", Hash: "h1", CreatedBy: "admin", Scope: store.TokenScopeRun, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.CreateAPIToken(ctx, store.APIToken{Name: "backup", Hash: "h2", CreatedBy: "cli", Scope: store.TokenScopeRead, ExpiresAt: expires})
	if err != nil || second == first {
		t.Fatalf("second token id %d (first %d), %v", second, first, err)
	}
	if _, err := s.CreateAPIToken(ctx, store.APIToken{Name: "ci", Hash: "h3"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("token with a taken name = %v, want ErrConflict", err)
	}
	tok, err := s.APITokenByHash(ctx, "h1")
	if err != nil || tok.ID != first || tok.Name != "ci" || tok.CreatedBy != "admin" || tok.CreatedAt.IsZero() {
		t.Fatalf("APITokenByHash = %+v, %v", tok, err)
	}
	if tok.Scope != store.TokenScopeRun || !tok.ExpiresAt.Equal(expires) {
		t.Fatalf("token scope %q expiry %v, want %q %v", tok.Scope, tok.ExpiresAt, store.TokenScopeRun, expires)
	}
	for _, h := range []string{"H1", "", "h3"} {
		if _, err := s.APITokenByHash(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("APITokenByHash(%q) = %v, want ErrNotFound", h, err)
		}
	}
	list, err := s.ListAPITokens(ctx)
	if err != nil || len(list) != 2 || list[0].ID != first || list[1].ID != second {
		t.Fatalf("ListAPITokens = %+v, %v; want oldest first", list, err)
	}
	if list[0].LastUsedAt == nil || list[1].LastUsedAt != nil {
		t.Fatalf("last use: ci %v, backup %v; want only ci's recorded", list[0].LastUsedAt, list[1].LastUsedAt)
	}
	if err := s.DeleteAPIToken(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAPIToken(ctx, first); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteAPIToken = %v, want ErrNotFound", err)
	}
	if _, err := s.APITokenByHash(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token still works: %v", err)
	}
}
