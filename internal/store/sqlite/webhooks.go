package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

const webhookColumns = `id, name, url, kinds, connections, sealed_secret, position, attempts, next_attempt_at, last_attempt_at,
	last_status, last_error, last_delivered_at, dead, created_at`

// stampOrEmpty stores a zero time as "".
func stampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return stamp(t)
}

func scanWebhook(r scanner) (store.Webhook, error) {
	var w store.Webhook
	var kinds, conns, next, last, delivered, created string
	if err := r.Scan(&w.ID, &w.Name, &w.URL, &kinds, &conns, &w.SealedSecret, &w.Position, &w.Attempts, &next, &last,
		&w.LastStatus, &w.LastError, &delivered, &w.Dead, &created); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(kinds), &w.Kinds); err != nil {
		return w, fmt.Errorf("webhook %d kinds: %w", w.ID, err)
	}
	if err := json.Unmarshal([]byte(conns), &w.Connections); err != nil {
		return w, fmt.Errorf("webhook %d connections: %w", w.ID, err)
	}
	if len(w.Kinds) == 0 {
		w.Kinds = nil
	}
	if len(w.Connections) == 0 {
		w.Connections = nil
	}
	w.NextAttemptAt, w.LastAttemptAt, w.LastDeliveredAt, w.CreatedAt = parseTime(next), parseTime(last), parseTime(delivered), parseTime(created)
	return w, nil
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateWebhook stores a subscription; a negative position starts it after
// the newest event, read in the same statement.
func (s *Store) CreateWebhook(ctx context.Context, w store.Webhook) (store.Webhook, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO webhooks(name, url, kinds, connections, sealed_secret, position, created_at)
		VALUES (?, ?, ?, ?, ?, CASE WHEN ? < 0 THEN (SELECT max(COALESCE((SELECT max(seq) FROM events), 0), pruned_through) FROM event_state WHERE id = 1) ELSE ? END, ?)`,
		w.Name, w.URL, jsonList(w.Kinds), jsonList(w.Connections), w.SealedSecret, w.Position, w.Position, now())
	if err != nil {
		return w, wrap(err, "create webhook %q", w.Name)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return w, wrap(err, "create webhook %q", w.Name)
	}
	return s.GetWebhook(ctx, id)
}

// GetWebhook returns one subscription.
func (s *Store) GetWebhook(ctx context.Context, id int64) (store.Webhook, error) {
	w, err := scanWebhook(s.db.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if err != nil {
		return w, wrap(err, "webhook %d", id)
	}
	return w, nil
}

// ListWebhooks returns every subscription by id.
func (s *Store) ListWebhooks(ctx context.Context) ([]store.Webhook, error) {
	return queryAll(ctx, s.db, "list webhooks", scanWebhook, `SELECT `+webhookColumns+` FROM webhooks ORDER BY id`)
}

// DeleteWebhook removes a subscription.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	if err != nil {
		return wrap(err, "delete webhook %d", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: webhook %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// SaveWebhookDelivery saves where a subscription's delivery stands.
func (s *Store) SaveWebhookDelivery(ctx context.Context, w store.Webhook) error {
	res, err := s.db.ExecContext(ctx, `UPDATE webhooks SET position = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?,
		last_status = ?, last_error = ?, last_delivered_at = ?, dead = ? WHERE id = ?`,
		w.Position, w.Attempts, stampOrEmpty(w.NextAttemptAt), stampOrEmpty(w.LastAttemptAt), w.LastStatus, w.LastError,
		stampOrEmpty(w.LastDeliveredAt), w.Dead, w.ID)
	if err != nil {
		return wrap(err, "save webhook %d", w.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: webhook %d: %w", w.ID, store.ErrNotFound)
	}
	return nil
}

// resealWebhooks re-seals the webhook signing secrets inside Reseal's
// transaction, so that a key rotation leaves no secret the new key cannot
// open.
func resealWebhooks(ctx context.Context, tx *sql.Tx, fn func(store.Sealed) (string, error)) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, sealed_secret FROM webhooks WHERE sealed_secret <> '' ORDER BY id`)
	if err != nil {
		return wrap(err, "reseal webhooks")
	}
	type row struct {
		id           int64
		name, sealed string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.name, &r.sealed); err != nil {
			rows.Close()
			return wrap(err, "reseal webhooks")
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap(err, "reseal webhooks")
	}
	for _, r := range all {
		v, err := fn(store.Sealed{What: fmt.Sprintf("webhook %q secret", r.name), Value: r.sealed})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET sealed_secret = ? WHERE id = ?`, v, r.id); err != nil {
			return wrap(err, "reseal webhook %q", r.name)
		}
	}
	return nil
}
