package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

const webhookColumns = `id, name, url, kinds, connections, sealed_secret, position, attempts, next_attempt_at, last_attempt_at,
	last_status, last_error, last_delivered_at, dead, created_at`

func scanWebhook(r pgx.Row) (store.Webhook, error) {
	var w store.Webhook
	var next, last, delivered *time.Time
	if err := r.Scan(&w.ID, &w.Name, &w.URL, &w.Kinds, &w.Connections, &w.SealedSecret, &w.Position, &w.Attempts, &next, &last,
		&w.LastStatus, &w.LastError, &delivered, &w.Dead, &w.CreatedAt); err != nil {
		return w, err
	}
	for _, p := range []struct {
		dst *time.Time
		src *time.Time
	}{{&w.NextAttemptAt, next}, {&w.LastAttemptAt, last}, {&w.LastDeliveredAt, delivered}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if len(w.Kinds) == 0 {
		w.Kinds = nil
	}
	if len(w.Connections) == 0 {
		w.Connections = nil
	}
	return w, nil
}

// nullTime stores a zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func textList(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// CreateWebhook stores a subscription; a negative position starts it after
// the newest event, read in the same statement.
func (s *Store) CreateWebhook(ctx context.Context, w store.Webhook) (store.Webhook, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO webhooks(name, url, kinds, connections, sealed_secret, position)
		VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint < 0 THEN
			(SELECT GREATEST(COALESCE((SELECT max(seq) FROM events), 0), pruned_through) FROM event_state WHERE id = 1) ELSE $6 END)
		RETURNING id`, w.Name, w.URL, textList(w.Kinds), textList(w.Connections), w.SealedSecret, w.Position).Scan(&id)
	if err != nil {
		return w, wrap(err, "create webhook %q", w.Name)
	}
	return s.GetWebhook(ctx, id)
}

// GetWebhook returns one subscription.
func (s *Store) GetWebhook(ctx context.Context, id int64) (store.Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if err != nil {
		return w, wrap(err, "webhook %d", id)
	}
	return w, nil
}

// ListWebhooks returns every subscription by id.
func (s *Store) ListWebhooks(ctx context.Context) ([]store.Webhook, error) {
	return queryAll(ctx, s, "list webhooks", scanWebhook, `SELECT `+webhookColumns+` FROM webhooks ORDER BY id`)
}

// DeleteWebhook removes a subscription.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return wrap(err, "delete webhook %d", id)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: webhook %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// SaveWebhookDelivery saves where a subscription's delivery stands.
func (s *Store) SaveWebhookDelivery(ctx context.Context, w store.Webhook) error {
	tag, err := s.pool.Exec(ctx, `UPDATE webhooks SET position = $1, attempts = $2, next_attempt_at = $3, last_attempt_at = $4,
		last_status = $5, last_error = $6, last_delivered_at = $7, dead = $8 WHERE id = $9`,
		w.Position, w.Attempts, nullTime(w.NextAttemptAt), nullTime(w.LastAttemptAt), w.LastStatus, w.LastError,
		nullTime(w.LastDeliveredAt), w.Dead, w.ID)
	if err != nil {
		return wrap(err, "save webhook %d", w.ID)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: webhook %d: %w", w.ID, store.ErrNotFound)
	}
	return nil
}

// resealWebhooks re-seals the webhook signing secrets inside Reseal's
// transaction, so that a key rotation leaves no secret the new key cannot
// open.
func resealWebhooks(ctx context.Context, tx pgx.Tx, fn func(store.Sealed) (string, error)) error {
	rows, err := tx.Query(ctx, `SELECT id, name, sealed_secret FROM webhooks WHERE sealed_secret <> '' ORDER BY id`)
	if err != nil {
		return wrap(err, "reseal webhooks")
	}
	type row struct {
		id           int64
		name, sealed string
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.name, &x.sealed)
	})
	if err != nil {
		return wrap(err, "reseal webhooks")
	}
	for _, r := range all {
		v, err := fn(store.Sealed{What: fmt.Sprintf("webhook %q secret", r.name), Value: r.sealed})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhooks SET sealed_secret = $1 WHERE id = $2`, v, r.id); err != nil {
			return wrap(err, "reseal webhook %q", r.name)
		}
	}
	return nil
}
