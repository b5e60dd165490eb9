package store

import (
	"context"
	"time"
)

// AuditEvent is one line of the audit log: who (Actor) did what (Action)
// to which object, and when. Detail is a short human-readable addition,
// never a secret.
type AuditEvent struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Object string    `json:"object,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// AuditFilter selects audit events. Empty fields select everything;
// Actor and Action match exactly, Object matches as a case-insensitive
// substring; Since is inclusive and Until exclusive.
type AuditFilter struct {
	Actor, Action, Object string
	Since, Until          time.Time
	Limit, Offset         int
}

// AuditLog keeps the audit log. Events are only appended, never changed.
type AuditLog interface {
	// AppendAudit stores one event; a zero At is the current time.
	AppendAudit(ctx context.Context, e AuditEvent) error
	// ListAudit returns the events the filter selects, newest first, and
	// how many it selects in all (ignoring Limit and Offset).
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
}
