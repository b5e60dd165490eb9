package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/events"
	"github.com/usersync/usersync/internal/store"
)

// runEvents reads the change feed: `events tail [--after SEQ] [--follow]`
// prints every event after SEQ as one JSON line, in order; with --follow it
// keeps printing new ones until interrupted. A script stores the seq of the
// last line it processed and passes it as --after next time.
func runEvents(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "events", args, subcommand{"tail", runEventsTail})
}

func runEventsTail(ctx context.Context, e *env, args []string) error {
	fs := newFlags("events tail", e.stderr)
	after := fs.Int64("after", 0, "print the events after this sequence number (0: from the oldest kept)")
	follow := fs.Bool("follow", false, "keep waiting for new events and print them as they come (Ctrl-C stops)")
	every := fs.Duration("interval", time.Second, "with --follow, how often to look for new events")
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	if *after < 0 {
		return fmt.Errorf("%w: --after must be 0 or more, got %d", errUsage, *after)
	}
	if *every <= 0 {
		return fmt.Errorf("%w: --interval must be positive, got %s", errUsage, *every)
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	enc := json.NewEncoder(e.stdout)
	pos := *after
	for {
		p, err := events.Read(ctx, a.Store, pos, events.MaxLimit)
		if errors.Is(err, store.ErrEventsPruned) {
			return fmt.Errorf("%w (start again from `usersync users list --json` and the newest sequence number)", err)
		}
		if err != nil {
			if *follow && ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, ev := range p.Events {
			if err := enc.Encode(ev); err != nil {
				return fmt.Errorf("events tail: write: %w", err)
			}
		}
		pos = p.Next
		if len(p.Events) == events.MaxLimit {
			continue
		}
		if !*follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*every):
		}
	}
}
