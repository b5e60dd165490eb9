package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/webhook"
)

// EnvWebhookLoopbackHTTP, set to 1, lets webhook URLs use plain http to a
// loopback address. Only tests set it: a real receiver gets https with a
// verified certificate.
const EnvWebhookLoopbackHTTP = "USERSYNC_WEBHOOK_LOOPBACK_HTTP"

func loopbackHTTPAllowed() bool { return os.Getenv(EnvWebhookLoopbackHTTP) == "1" }

// WebhookView is a subscription as the CLI and the API show it: never its
// secret.
type WebhookView struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	URL             string   `json:"url"`
	Kinds           []string `json:"kinds"`
	Connections     []string `json:"connections"`
	Position        int64    `json:"position"`
	Attempts        int      `json:"attempts"`
	NextAttemptAt   *string  `json:"nextAttemptAt,omitempty"`
	LastAttemptAt   *string  `json:"lastAttemptAt,omitempty"`
	LastStatus      int      `json:"lastStatus,omitempty"`
	LastError       string   `json:"lastError,omitempty"`
	LastDeliveredAt *string  `json:"lastDeliveredAt,omitempty"`
	Dead            bool     `json:"dead"`
}

// ViewWebhook converts a stored subscription for display.
func ViewWebhook(w store.Webhook) WebhookView {
	ts := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.UTC().Format(time.RFC3339)
		return &s
	}
	v := WebhookView{ID: w.ID, Name: w.Name, URL: w.URL, Kinds: w.Kinds, Connections: w.Connections, Position: w.Position,
		Attempts: w.Attempts, NextAttemptAt: ts(w.NextAttemptAt), LastAttemptAt: ts(w.LastAttemptAt), LastStatus: w.LastStatus,
		LastError: w.LastError, LastDeliveredAt: ts(w.LastDeliveredAt), Dead: w.Dead}
	if v.Kinds == nil {
		v.Kinds = []string{}
	}
	if v.Connections == nil {
		v.Connections = []string{}
	}
	return v
}

// CreateWebhook validates and stores a subscription that receives the
// changes from now on, and returns its signing secret: shown this once,
// stored only sealed.
func (a *App) CreateWebhook(ctx context.Context, spec webhook.Spec) (string, store.Webhook, error) {
	if err := spec.Validate(loopbackHTTPAllowed()); err != nil {
		var ve *webhook.ValidationError
		if errors.As(err, &ve) {
			return "", store.Webhook{}, &FieldError{Field: ve.Problems[0].Field, Msg: err.Error()}
		}
		return "", store.Webhook{}, err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return "", store.Webhook{}, err
	}
	sealed, err := a.Box.Seal(secret)
	if err != nil {
		return "", store.Webhook{}, fmt.Errorf("app: seal the webhook secret: %w", err)
	}
	w, err := a.Store.CreateWebhook(ctx, store.Webhook{Name: strings.TrimSpace(spec.Name), URL: spec.URL, Kinds: spec.Kinds,
		Connections: spec.Connections, SealedSecret: sealed, Position: -1})
	if errors.Is(err, store.ErrConflict) {
		return "", w, &FieldError{Field: "name", Msg: fmt.Sprintf("a webhook named %q exists already", spec.Name), Err: store.ErrConflict}
	}
	if err != nil {
		return "", w, err
	}
	return secret, w, nil
}

// FindWebhook finds a subscription by id or by name.
func (a *App) FindWebhook(ctx context.Context, ref string) (store.Webhook, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if w, err := a.Store.GetWebhook(ctx, id); err == nil || !errors.Is(err, store.ErrNotFound) {
			return w, err
		}
	}
	all, err := a.Store.ListWebhooks(ctx)
	if err != nil {
		return store.Webhook{}, err
	}
	for _, w := range all {
		if w.Name == ref {
			return w, nil
		}
	}
	return store.Webhook{}, fmt.Errorf("app: webhook %q: %w", ref, store.ErrNotFound)
}

// RedeliverWebhook revives a dead subscription, optionally from an older
// (or newer) sequence number.
func (a *App) RedeliverWebhook(ctx context.Context, id int64, from *int64) (store.Webhook, error) {
	w, err := webhook.Redeliver(ctx, a.Store, id, from)
	var ve *webhook.ValidationError
	if errors.As(err, &ve) {
		return w, &FieldError{Field: ve.Problems[0].Field, Msg: err.Error()}
	}
	return w, err
}

// Deliverer returns the webhook deliverer of this instance: one instance
// at a time delivers each subscription, under the same leases that keep
// one run per connection.
func (a *App) Deliverer() *webhook.Deliverer {
	return &webhook.Deliverer{Store: a.Store, Open: a.Box.Open, Log: a.Log, Lease: a.WithLease}
}
