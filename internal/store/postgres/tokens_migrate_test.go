package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestUpgradeGivesOldTokensAnExpiry: a token made before tokens had a scope
// and an expiry keeps working with the admin scope, and expires 90 days
// after the upgrade instead of never.
func TestUpgradeGivesOldTokensAnExpiry(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	old, err := open(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.pool.Exec(ctx, `INSERT INTO api_tokens(name, token_hash, created_by) VALUES ('ci', 'h', 'admin')`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok, err := s.APITokenByHash(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Now().Add(90 * 24 * time.Hour)
	if tok.Scope != store.TokenScopeAdmin || tok.ExpiresAt.Sub(want).Abs() > time.Minute {
		t.Fatalf("upgraded token: scope %q expires %v, want admin around %v", tok.Scope, tok.ExpiresAt, want)
	}
}
