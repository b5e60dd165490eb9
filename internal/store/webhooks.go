package store

import (
	"context"
	"time"
)

// Webhook is a subscription to the change feed: batches of the events it
// selects are POSTed to URL, signed with its secret, in order.
type Webhook struct {
	ID   int64
	Name string
	URL  string
	// Kinds and Connections select events; empty selects all.
	Kinds       []string
	Connections []string
	// SealedSecret is the signing secret sealed by package secret; it is
	// never returned by the API or printed.
	SealedSecret string
	// Position is the last sequence number delivered (or passed over as
	// not selected): delivery resumes after it.
	Position int64
	// Attempts counts the failed attempts at the batch after Position.
	Attempts      int
	NextAttemptAt time.Time // zero: at once
	LastAttemptAt time.Time
	// LastStatus is the HTTP status of the last attempt (0 when it got no
	// response); LastError says why it failed.
	LastStatus      int
	LastError       string
	LastDeliveredAt time.Time
	// Dead is set after too many failed attempts: delivery stops until an
	// operator redelivers.
	Dead      bool
	CreatedAt time.Time
}

// Webhooks stores webhook subscriptions and their delivery state.
type Webhooks interface {
	// CreateWebhook stores w; a negative Position starts it after the
	// newest event, so that it receives changes from now on. A name in use
	// is ErrConflict.
	CreateWebhook(ctx context.Context, w Webhook) (Webhook, error)
	GetWebhook(ctx context.Context, id int64) (Webhook, error)
	// ListWebhooks returns every subscription ordered by id.
	ListWebhooks(ctx context.Context) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, id int64) error
	// SaveWebhookDelivery saves Position, Attempts, NextAttemptAt, the
	// last attempt's time, status and error, LastDeliveredAt and Dead.
	SaveWebhookDelivery(ctx context.Context, w Webhook) error
}
