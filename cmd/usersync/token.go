package main

import (
	"context"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/web"
)

// runToken manages API tokens: `token create NAME [--scope read|run|admin]
// [--expires-in-days N]` prints a new token once.
func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: token needs a subcommand: create NAME", errUsage)
	}
	fs := newFlags("token create", e.stderr)
	scope := fs.String("scope", "read", "what the token may do: read (GET only), run (also start, approve, reject and cancel runs) or admin (everything)")
	days := fs.Int("expires-in-days", 90, "days until the token stops working (at most 366)")
	pos, err := fs.parse(args[1:], 1, "a token NAME")
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	st := a.Store
	tok, t, err := web.CreateToken(ctx, st, web.TokenRequest{Name: pos[0], Scope: *scope, ExpiresInDays: *days}, "cli")
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	a.Audit(ctx, app.AuditTokenCreate, "token "+t.Name, "scope "+t.Scope)
	fmt.Fprintln(e.stdout, tok)
	fmt.Fprintf(e.stderr, "API token %q created with scope %s, expiring %s; it is shown only this once. Use it as: Authorization: Bearer TOKEN\n",
		pos[0], t.Scope, t.ExpiresAt.Format(time.RFC3339))
	return nil
}
