package main

import (
	"context"
	"fmt"
	"strings"
)

// subcommand is one verb of a command group, such as `runs show`.
type subcommand struct {
	name string
	run  func(ctx context.Context, e *env, args []string) error
}

// dispatch runs the subcommand args[0] of group, or says which exist.
func dispatch(ctx context.Context, e *env, group string, args []string, subs ...subcommand) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	if len(args) == 0 {
		return fmt.Errorf("%w: %s needs a subcommand: %s", errUsage, group, strings.Join(names, ", "))
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, e, args[1:])
		}
	}
	return fmt.Errorf("%w: unknown %s subcommand %q (want %s)", errUsage, group, args[0], strings.Join(names, ", "))
}

// verb passes the subcommand's own name to a handler shared by several.
func verb(name string, run func(ctx context.Context, e *env, verb string, args []string) error) subcommand {
	return subcommand{name, func(ctx context.Context, e *env, args []string) error { return run(ctx, e, name, args) }}
}
