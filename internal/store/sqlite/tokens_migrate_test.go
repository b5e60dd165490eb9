package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// TestUpgradeGivesOldTokensAnExpiry: a token made before tokens had a scope
// and an expiry keeps working with the admin scope, and expires 90 days
// after the upgrade instead of never.
func TestUpgradeGivesOldTokensAnExpiry(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.db.ExecContext(ctx, `INSERT INTO api_tokens(name, token_hash, created_by, created_at) VALUES ('ci', 'h', 'admin', ?)`, now()); err != nil {
		t.Fatal(err)
	}
	old.Close()
	s, err := Open(ctx, path)
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
