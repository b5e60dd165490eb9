package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// AddSCIMRequests stores request log entries in one transaction, dropping
// those of connections that do not exist.
func (s *Store) AddSCIMRequests(ctx context.Context, entries []store.SCIMRequest) error {
	if len(entries) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, "add scim requests")
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO scim_requests(request_id, connection, at, method, path, status, duration_us, resource_id, user_name, body)
		SELECT ?, name, ?, ?, ?, ?, ?, ?, ?, ? FROM connections WHERE name = ?`)
	if err != nil {
		return wrap(err, "add scim requests")
	}
	defer stmt.Close()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, e.RequestID, e.At.UTC().Format(timeFormat), e.Method, e.Path, e.Status,
			e.Duration.Microseconds(), e.ResourceID, e.UserName, e.Body, e.Connection); err != nil {
			return wrap(err, "add scim request %s", e.RequestID)
		}
	}
	return wrap(tx.Commit(), "add scim requests")
}

const scimRequestColumns = `id, request_id, connection, at, method, path, status, duration_us, resource_id, user_name, body`

// ListSCIMRequests returns a connection's log entries, newest first.
func (s *Store) ListSCIMRequests(ctx context.Context, q store.SCIMRequestQuery) ([]store.SCIMRequest, error) {
	where := []string{"connection = ?"}
	args := []any{q.Connection}
	if q.User != "" {
		// A request that names the user only by SCIM id (a PATCH answered
		// 204) belongs to the user whose userName another entry tied to
		// that id.
		where = append(where, `(lower(user_name) = lower(?) OR resource_id = ? OR (resource_id <> '' AND resource_id IN
			(SELECT resource_id FROM scim_requests WHERE connection = ? AND lower(user_name) = lower(?))))`)
		args = append(args, q.User, q.User, q.Connection, q.User)
	}
	if q.BeforeID > 0 {
		where = append(where, "id < ?")
		args = append(args, q.BeforeID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT `+scimRequestColumns+` FROM scim_requests WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, wrap(err, "list scim requests of %q", q.Connection)
	}
	defer rows.Close()
	var out []store.SCIMRequest
	for rows.Next() {
		r, err := scanSCIMRequest(rows)
		if err != nil {
			return nil, wrap(err, "list scim requests of %q", q.Connection)
		}
		out = append(out, r)
	}
	return out, wrap(rows.Err(), "list scim requests of %q", q.Connection)
}

// SCIMRequestByID returns the log entry with a request id.
func (s *Store) SCIMRequestByID(ctx context.Context, requestID string) (store.SCIMRequest, error) {
	r, err := scanSCIMRequest(s.db.QueryRowContext(ctx, `SELECT `+scimRequestColumns+` FROM scim_requests WHERE request_id = ?`, requestID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("sqlite: scim request %q: %w", requestID, store.ErrNotFound)
	}
	return r, wrap(err, "scim request %q", requestID)
}

// PurgeSCIMRequests forgets the entries logged before cutoff.
func (s *Store) PurgeSCIMRequests(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM scim_requests WHERE at < ?`, cutoff.UTC().Format(timeFormat))
	if err != nil {
		return 0, wrap(err, "purge scim requests")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func scanSCIMRequest(row interface{ Scan(...any) error }) (store.SCIMRequest, error) {
	var r store.SCIMRequest
	var at string
	var us int64
	err := row.Scan(&r.ID, &r.RequestID, &r.Connection, &at, &r.Method, &r.Path, &r.Status, &us, &r.ResourceID, &r.UserName, &r.Body)
	r.At, r.Duration = parseTime(at), time.Duration(us)*time.Microsecond
	return r, err
}
