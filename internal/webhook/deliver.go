package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/usersync/usersync/internal/events"
	"github.com/usersync/usersync/internal/store"
)

// Store is what the deliverer needs of the store.
type Store interface {
	store.Events
	store.Webhooks
}

// Delivery is the body of one POST: the subscription's name and a batch of
// events in sequence order.
type Delivery struct {
	Webhook string         `json:"webhook"`
	Events  []events.Event `json:"events"`
}

// Deliverer POSTs each subscription's events in order, at least once: a
// subscription's position moves past a batch only after the receiver
// answered it with a 2xx, so a crash anywhere before that delivers the
// batch again, and a failing batch blocks the ones after it.
type Deliverer struct {
	Store Store
	// Open unseals a subscription's secret.
	Open func(sealed string) (string, error)
	// Client sends the deliveries; nil means one that verifies TLS with
	// the system roots and gives up after 10 seconds.
	Client *http.Client
	Log    *slog.Logger
	// Lease runs fn while holding an exclusive lease on name across every
	// instance sharing the store, or returns an error at once when another
	// holds it; nil runs fn directly (one instance).
	Lease func(ctx context.Context, name string, fn func(ctx context.Context) error) error
	// MaxAttempts failed attempts at one batch make the subscription dead
	// (default 12).
	MaxAttempts int
	// BaseDelay is the wait after the first failure, doubled after each
	// further one up to MaxDelay (defaults 5 s and 1 h); each wait is
	// jittered between half and all of it, so that receivers coming back
	// are not hit by every sender at once.
	BaseDelay, MaxDelay time.Duration
	// BatchSize is the most events one POST carries (default 100).
	BatchSize int
	Now       func() time.Time
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

func (d *Deliverer) client() *http.Client {
	if d.Client != nil {
		return d.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// Backoff is the wait after the n-th failed attempt (n >= 1), before jitter.
func (d *Deliverer) Backoff(n int) time.Duration {
	base, maxd := d.BaseDelay, d.MaxDelay
	if base <= 0 {
		base = 5 * time.Second
	}
	if maxd <= 0 {
		maxd = time.Hour
	}
	w := base
	for i := 1; i < n && w < maxd; i++ {
		w *= 2
	}
	return min(w, maxd)
}

func (d *Deliverer) jittered(n int) time.Duration {
	w := d.Backoff(n)
	return w/2 + rand.N(w/2+1)
}

// LeaseName is the lease that makes one instance at a time deliver a
// subscription. It shares the leases of connection runs; a connection
// name never holds a colon, so the names cannot meet.
func LeaseName(id int64) string { return "webhook:" + strconv.FormatInt(id, 10) }

// Run delivers every due subscription every interval until ctx ends.
func (d *Deliverer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		d.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick makes one attempt for each subscription that is due.
func (d *Deliverer) Tick(ctx context.Context) {
	ws, err := d.Store.ListWebhooks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log().Warn("webhooks: cannot list subscriptions", "err", err)
		}
		return
	}
	for _, w := range ws {
		if w.Dead || d.now().Before(w.NextAttemptAt) {
			continue
		}
		run := func(ctx context.Context) error { return d.deliver(ctx, w.ID) }
		if d.Lease != nil {
			err = d.Lease(ctx, LeaseName(w.ID), run)
		} else {
			err = run(ctx)
		}
		var held *store.LeaseHeldError
		if err != nil && !errors.As(err, &held) && ctx.Err() == nil {
			d.log().Warn("webhooks: delivery failed", "webhook", w.Name, "err", err)
		}
	}
}

// deliver makes one attempt for subscription id: it reads its state afresh
// (another instance may have moved it), collects the next batch of the
// events it selects and POSTs it.
func (d *Deliverer) deliver(ctx context.Context, id int64) error {
	w, err := d.Store.GetWebhook(ctx, id)
	if err != nil {
		return err
	}
	if w.Dead || d.now().Before(w.NextAttemptAt) {
		return nil
	}
	limit := d.BatchSize
	if limit <= 0 {
		limit = 100
	}
	var batch []events.Event
	through := w.Position
	for len(batch) < limit {
		es, err := d.Store.ListEvents(ctx, through, events.MaxLimit)
		if errors.Is(err, store.ErrEventsPruned) {
			w.Dead, w.LastError, w.LastAttemptAt = true, fmt.Sprintf("events after %d were pruned before they were delivered; redeliver from a newer position", w.Position), d.now()
			return d.Store.SaveWebhookDelivery(ctx, w)
		}
		if err != nil {
			return err
		}
		for _, e := range es {
			if Selects(w, e.Kind, e.Connection) {
				batch = append(batch, events.FromStore(e))
			}
			through = e.Seq
			if len(batch) == limit {
				break
			}
		}
		if len(es) < events.MaxLimit {
			break
		}
	}
	if len(batch) == 0 {
		if through == w.Position {
			return nil
		}
		// Nothing selected: move past what was read without a POST.
		w.Position = through
		return d.Store.SaveWebhookDelivery(ctx, w)
	}
	status, err := d.post(ctx, w, batch)
	now := d.now()
	w.LastAttemptAt, w.LastStatus = now, status
	if err != nil {
		w.Attempts++
		w.LastError = err.Error()
		if w.Attempts >= d.maxAttempts() {
			w.Dead = true
			d.log().Error("webhooks: subscription is dead after too many failed attempts; redeliver by hand", "webhook", w.Name, "attempts", w.Attempts, "err", err)
		} else {
			w.NextAttemptAt = now.Add(d.jittered(w.Attempts))
		}
		return d.Store.SaveWebhookDelivery(context.WithoutCancel(ctx), w)
	}
	w.Position, w.Attempts, w.NextAttemptAt, w.LastError, w.LastDeliveredAt = through, 0, time.Time{}, "", now
	return d.Store.SaveWebhookDelivery(context.WithoutCancel(ctx), w)
}

func (d *Deliverer) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return 12
}

// post sends one batch and returns the HTTP status (0 without a response)
// and, unless it was a 2xx, why it failed.
func (d *Deliverer) post(ctx context.Context, w store.Webhook, batch []events.Event) (int, error) {
	secret, err := d.Open(w.SealedSecret)
	if err != nil {
		return 0, fmt.Errorf("open the signing secret: %w", err)
	}
	body, err := json.Marshal(Delivery{Webhook: w.Name, Events: batch})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "usersync-webhook")
	req.Header.Set(SignatureHeader, Sign([]byte(secret), d.now(), body))
	req.Header.Set("Usersync-Delivery", fmt.Sprintf("%d-%d", batch[0].Seq, batch[len(batch)-1].Seq))
	resp, err := d.client().Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// Redeliver revives a subscription: it clears the dead letter and the
// failed attempts, so that the next tick tries at once, and, when from is
// not nil, moves it back (or forward) to deliver the events after *from.
func Redeliver(ctx context.Context, st Store, id int64, from *int64) (store.Webhook, error) {
	w, err := st.GetWebhook(ctx, id)
	if err != nil {
		return w, err
	}
	if from != nil {
		if *from < 0 {
			return w, &ValidationError{[]Problem{{"from", "must be 0 or more"}}}
		}
		w.Position = *from
	}
	w.Dead, w.Attempts, w.NextAttemptAt, w.LastError = false, 0, time.Time{}, ""
	return w, st.SaveWebhookDelivery(ctx, w)
}
