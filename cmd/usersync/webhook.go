package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/webhook"
)

// runWebhook manages webhook subscriptions: add, list, remove, redeliver.
func runWebhook(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "webhook", args,
		subcommand{"add", runWebhookAdd},
		subcommand{"list", runWebhookList},
		subcommand{"remove", runWebhookRemove},
		subcommand{"redeliver", runWebhookRedeliver})
}

// listFlag collects a repeatable or comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

func runWebhookAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags("webhook add", e.stderr)
	url := fs.String("url", "", "the https URL that receives the signed POSTs")
	var kinds, conns listFlag
	fs.Var(&kinds, "kind", "deliver only this event kind (repeatable; default every kind)")
	fs.Var(&conns, "connection", "deliver only events of this connection (repeatable; default every connection)")
	return fs.run(ctx, e, args, 1, "a webhook NAME", func(a *app.App, pos []string) error {
		secret, w, err := a.CreateWebhook(ctx, webhook.Spec{Name: pos[0], URL: *url, Kinds: kinds, Connections: conns})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, secret)
		fmt.Fprintf(e.stderr, "webhook %q (id %d) receives the changes after event %d. Its signing secret is shown only this once; "+
			"check each delivery's %s header with it (t=UNIX,v1=HMAC-SHA256 hex of \"t.body\").\n", w.Name, w.ID, w.Position, webhook.SignatureHeader)
		return nil
	})
}

func runWebhookList(ctx context.Context, e *env, args []string) error {
	load := func(a *app.App) ([]app.WebhookView, error) {
		ws, err := a.Store.ListWebhooks(ctx)
		if err != nil {
			return nil, err
		}
		views := make([]app.WebhookView, len(ws))
		for i, w := range ws {
			views[i] = app.ViewWebhook(w)
		}
		return views, nil
	}
	return listCommand(ctx, e, newFlags("webhook list", e.stderr), args, load, tableOf(func(v app.WebhookView) []any {
		state := "ok"
		switch {
		case v.Dead:
			state = "dead (redeliver by hand)"
		case v.NextAttemptAt != nil:
			state = fmt.Sprintf("retry %d at %s", v.Attempts+1, *v.NextAttemptAt)
		}
		last := "-"
		if v.LastAttemptAt != nil {
			last = fmt.Sprintf("%s status %d %s", *v.LastAttemptAt, v.LastStatus, v.LastError)
		}
		return []any{v.ID, v.Name, v.URL, v.Position, state, last}
	}, "ID", "NAME", "URL", "POSITION", "STATE", "LAST"))
}

func runWebhookRemove(ctx context.Context, e *env, args []string) error {
	fs := newFlags("webhook remove", e.stderr)
	return fs.run(ctx, e, args, 1, "a webhook ID or NAME", func(a *app.App, pos []string) error {
		w, err := a.FindWebhook(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := a.Store.DeleteWebhook(ctx, w.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "webhook %q removed\n", w.Name)
		return nil
	})
}

func runWebhookRedeliver(ctx context.Context, e *env, args []string) error {
	fs := newFlags("webhook redeliver", e.stderr)
	from := fs.Int64("from", -1, "deliver again the events after this sequence number (default: carry on where delivery stopped)")
	return fs.run(ctx, e, args, 1, "a webhook ID or NAME", func(a *app.App, pos []string) error {
		w, err := a.FindWebhook(ctx, pos[0])
		if err != nil {
			return err
		}
		var fp *int64
		if *from >= 0 {
			fp = from
		}
		if w, err = a.RedeliverWebhook(ctx, w.ID, fp); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "webhook %q will be delivered again after event %d by the running usersync serve\n", w.Name, w.Position)
		return nil
	})
}
