package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// AppendAudit stores one audit event.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	var at any
	if !e.At.IsZero() {
		at = e.At
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_events(at, actor, action, object, detail) VALUES (coalesce($1, now()), $2, $3, $4, $5)`,
		at, e.Actor, e.Action, e.Object, e.Detail)
	return wrap(err, "append audit event %q", e.Action)
}

// ListAudit returns the audit events a filter selects, newest first, and
// their number.
func (s *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEvent, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.Object != "" {
		add("strpos(lower(object), lower($%d)) > 0", f.Object)
	}
	if !f.Since.IsZero() {
		add("at >= $%d", f.Since)
	}
	if !f.Until.IsZero() {
		add("at < $%d", f.Until)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`+cond, args...).Scan(&total); err != nil {
		return nil, 0, wrap(err, "count audit events")
	}
	n := len(args)
	list, err := queryAll(ctx, s, "list audit events", func(r pgx.Row) (store.AuditEvent, error) {
		var e store.AuditEvent
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Object, &e.Detail)
		return e, err
	}, fmt.Sprintf(`SELECT id, at, actor, action, object, detail FROM audit_events%s ORDER BY at DESC, id DESC LIMIT $%d OFFSET $%d`, cond, n+1, n+2),
		append(args, nullLimit(f.Limit), max(f.Offset, 0))...)
	return list, total, err
}
