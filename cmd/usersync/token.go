package main

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/web"
)

// runToken manages API tokens: `token create NAME` prints a new token once.
func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: token needs a subcommand: create NAME", errUsage)
	}
	fs := newFlags("token create", e.stderr)
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
	tok, _, err := web.CreateToken(ctx, st, pos[0], "cli")
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	fmt.Fprintln(e.stdout, tok)
	fmt.Fprintf(e.stderr, "API token %q created; it is shown only this once. Use it as: Authorization: Bearer TOKEN\n", pos[0])
	return nil
}
