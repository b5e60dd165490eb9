package sqlite

import (
	"context"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// AppendAudit stores one audit event.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	at := now()
	if !e.At.IsZero() {
		at = e.At.UTC().Format(timeFormat)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_events(at, actor, action, object, detail) VALUES (?, ?, ?, ?, ?)`,
		at, e.Actor, e.Action, e.Object, e.Detail)
	return wrap(err, "append audit event %q", e.Action)
}

// ListAudit returns the audit events a filter selects, newest first, and
// their number.
func (s *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEvent, int, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Object != "" {
		where, args = append(where, "instr(lower(object), lower(?)) > 0"), append(args, f.Object)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.Since.UTC().Format(timeFormat))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.Until.UTC().Format(timeFormat))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events`+cond, args...).Scan(&total); err != nil {
		return nil, 0, wrap(err, "count audit events")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	list, err := queryAll(ctx, s.db, "list audit events", func(r scanner) (store.AuditEvent, error) {
		var e store.AuditEvent
		var at string
		err := r.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail)
		e.At = parseTime(at)
		return e, err
	}, `SELECT id, at, actor, action, object, detail FROM audit_events`+cond+` ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, limit, max(f.Offset, 0))...)
	return list, total, err
}
