package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// entityCommand runs `usersync permission-set|group|site add|list|remove`.
func entityCommand(kind, noun string) func(ctx context.Context, e *env, args []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return fmt.Errorf("%w: %s needs a subcommand: add NAME | list | remove NAME", errUsage, noun)
		}
		sub := args[0]
		fs := newFlags(noun+" "+sub, e.stderr)
		asJSON := fs.Bool("json", false, "print JSON")
		want, what := 1, "a NAME"
		if sub == "list" {
			want, what = 0, "no arguments"
		} else if sub != "add" && sub != "remove" {
			return fmt.Errorf("%w: unknown %s subcommand %q", errUsage, noun, sub)
		}
		pos, err := fs.parse(args[1:], want, what)
		if err != nil {
			return err
		}
		if want == 1 && strings.TrimSpace(pos[0]) != pos[0] || want == 1 && pos[0] == "" {
			return fmt.Errorf("%w: a %s name must not be empty or start or end with blanks, got %q", errUsage, noun, pos[0])
		}
		a, err := fs.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		switch sub {
		case "add":
			ent, err := a.CreateEntity(ctx, kind, pos[0])
			if errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("%w: %s %q exists", errUsage, noun, pos[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %q added (id %d)\n", noun, ent.Name, ent.ID)
		case "remove":
			err := a.DeleteEntity(ctx, kind, pos[0])
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: no %s %q", errUsage, noun, pos[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %q removed, with its memberships\n", noun, pos[0])
		case "list":
			list, err := a.ListEntities(ctx, kind)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeList(e.stdout, list)
			}
			for _, ent := range list {
				fmt.Fprintln(e.stdout, termSafe(ent.Name))
			}
		}
		return nil
	}
}
