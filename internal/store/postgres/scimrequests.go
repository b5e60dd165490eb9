package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// AddSCIMRequests stores request log entries in one transaction, dropping
// those of connections that do not exist.
func (s *Store) AddSCIMRequests(ctx context.Context, entries []store.SCIMRequest) error {
	if len(entries) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, e := range entries {
		batch.Queue(`INSERT INTO scim_requests(request_id, connection, at, method, path, status, duration_us, resource_id, user_name, body)
			SELECT $1, name, $2, $3, $4, $5, $6, $7, $8, $9 FROM connections WHERE name = $10`,
			e.RequestID, e.At, e.Method, e.Path, e.Status, e.Duration.Microseconds(), e.ResourceID, e.UserName, e.Body, e.Connection)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap(err, "add scim requests")
	}
	defer tx.Rollback(ctx)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return wrap(err, "add scim requests")
	}
	return wrap(tx.Commit(ctx), "add scim requests")
}

const scimRequestColumns = `id, request_id, connection, at, method, path, status, duration_us, resource_id, user_name, body`

// ListSCIMRequests returns a connection's log entries, newest first.
func (s *Store) ListSCIMRequests(ctx context.Context, q store.SCIMRequestQuery) ([]store.SCIMRequest, error) {
	where := []string{"connection = $1"}
	args := []any{q.Connection}
	if q.User != "" {
		// A request that names the user only by SCIM id (a PATCH answered
		// 204) belongs to the user whose userName another entry tied to
		// that id.
		args = append(args, q.User)
		n := len(args)
		where = append(where, fmt.Sprintf(`(lower(user_name) = lower($%d) OR resource_id = $%d OR (resource_id <> '' AND resource_id IN
			(SELECT resource_id FROM scim_requests WHERE connection = $1 AND lower(user_name) = lower($%d))))`, n, n, n))
	}
	if q.BeforeID > 0 {
		args = append(args, q.BeforeID)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := s.pool.Query(ctx, `SELECT `+scimRequestColumns+` FROM scim_requests WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
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
	r, err := scanSCIMRequest(s.pool.QueryRow(ctx, `SELECT `+scimRequestColumns+` FROM scim_requests WHERE request_id = $1`, requestID))
	return r, wrap(err, "scim request %q", requestID)
}

// PurgeSCIMRequests forgets the entries logged before cutoff.
func (s *Store) PurgeSCIMRequests(ctx context.Context, cutoff time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM scim_requests WHERE at < $1`, cutoff)
	if err != nil {
		return 0, wrap(err, "purge scim requests")
	}
	return int(tag.RowsAffected()), nil
}

func scanSCIMRequest(row pgx.Row) (store.SCIMRequest, error) {
	var r store.SCIMRequest
	var us int64
	err := row.Scan(&r.ID, &r.RequestID, &r.Connection, &r.At, &r.Method, &r.Path, &r.Status, &us, &r.ResourceID, &r.UserName, &r.Body)
	r.Duration = time.Duration(us) * time.Microsecond
	return r, err
}
