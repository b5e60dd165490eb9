package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

const userColumns = `id, connection, external_id, user_id, status, source, fields, hash, password_hash, created_at, updated_at, super_user`

func scanUser(r pgx.Row) (store.User, error) {
	var u store.User
	var fields []byte
	var hash int64
	if err := r.Scan(&u.ID, &u.Connection, &u.ExternalID, &u.UserID, &u.Status, &u.Source, &fields, &hash,
		&u.PasswordHash, &u.CreatedAt, &u.UpdatedAt, &u.SuperUser); err != nil {
		return u, err
	}
	u.Hash = uint64(hash)
	if err := json.Unmarshal(fields, &u.Fields); err != nil {
		return u, fmt.Errorf("user %d fields: %w", u.ID, err)
	}
	return u, nil
}

func (s *Store) queryUsers(ctx context.Context, what, q string, args ...any) ([]store.User, error) {
	return queryAll(ctx, s, what, scanUser, q, args...)
}

// ScanIndex streams a connection's directory users.
func (s *Store) ScanIndex(ctx context.Context, conn string, fn func(store.IndexEntry) error) error {
	rows, err := s.pool.Query(ctx, `SELECT id, external_id, user_id, status, hash, deactivated_at FROM users WHERE connection = $1 AND source = 'directory'`, conn)
	if err != nil {
		return wrap(err, "scan index %q", conn)
	}
	defer rows.Close()
	for rows.Next() {
		var e store.IndexEntry
		var hash int64
		var since *time.Time
		if err := rows.Scan(&e.ID, &e.ExternalID, &e.UserID, &e.Status, &hash, &since); err != nil {
			return wrap(err, "scan index %q", conn)
		}
		e.Hash = uint64(hash)
		if since != nil {
			e.InactiveSince = *since
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "scan index %q", conn)
}

// GetUsers returns the users with the given row ids, in no particular order:
// one query however many ids, as an array parameter.
func (s *Store) GetUsers(ctx context.Context, ids []int64) ([]store.User, error) {
	if len(ids) == 0 {
		return []store.User{}, nil
	}
	out, err := s.queryUsers(ctx, "get users", `SELECT `+userColumns+` FROM users WHERE id = ANY($1)`, ids)
	if out == nil && err == nil {
		out = []store.User{}
	}
	return out, err
}

// GetUser returns one user by row id.
func (s *Store) GetUser(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, wrap(err, "user %d", id)
}

// FindUsers returns the users whose userId equals userID, ignoring case.
func (s *Store) FindUsers(ctx context.Context, userID string) ([]store.User, error) {
	return s.queryUsers(ctx, fmt.Sprintf("find users %q", userID),
		`SELECT `+userColumns+` FROM users WHERE user_key = $1 ORDER BY id`, store.UserIDKey(userID))
}

// ListUsers returns users matching q, ordered by connection and userId.
func (s *Store) ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error) {
	where := []string{"true"}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Connection != "" {
		where = append(where, "connection = "+arg(q.Connection))
	}
	if q.Status != "" {
		where = append(where, "status = "+arg(q.Status))
	}
	if q.Search != "" {
		like := arg("%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q.Search)) + "%")
		where = append(where, `(lower(user_id) LIKE `+like+` ESCAPE '\' OR lower(fields::text) LIKE `+like+` ESCAPE '\')`)
	}
	lim, off := arg(nullLimit(q.Limit)), arg(max(q.Offset, 0))
	return s.queryUsers(ctx, "list users", `SELECT `+userColumns+` FROM users WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+postgresUserOrder(q.Sort)+` LIMIT `+lim+`::bigint OFFSET `+off+`::bigint`, args...)
}

// FindActiveUsers returns the active users whose userId equals one of
// userIDs, ignoring case: one query, the list as an array parameter.
func (s *Store) FindActiveUsers(ctx context.Context, userIDs []string) ([]store.User, error) {
	keys := make([]string, len(userIDs))
	for i, id := range userIDs {
		keys[i] = store.UserIDKey(id)
	}
	out, err := s.queryUsers(ctx, "find active users", `SELECT `+userColumns+` FROM users
		WHERE status = 'active' AND user_key = ANY($1) ORDER BY id`, keys)
	if out == nil && err == nil {
		out = []store.User{}
	}
	return out, err
}

// The two queries of DuplicateUserIDs.
const (
	duplicateKeysSQL  = `SELECT DISTINCT user_key FROM users WHERE id_clash <> 0 AND status = 'active'`
	duplicateUsersSQL = `SELECT ` + userColumns + ` FROM users WHERE status = 'active' AND user_key = ANY($1) ORDER BY user_key COLLATE "C", id`
)

// DuplicateUserIDs returns the active users sharing their userId with
// another active user. The unique index admits such users only when
// id_clash exempts all but one of them, so the kept duplicates' userIds
// are the only candidates.
//
// The candidates' keys are read first and the users by key second, two
// queries that are at worst one scan each whatever plan they get. As one
// semi-join, the plan a pooled connection prepared while the users table
// was still empty (a first sync) is a nested loop scanning the whole table
// once per user, which kept a second sync of 100,000 users busy for
// minutes until the table was analyzed.
func (s *Store) DuplicateUserIDs(ctx context.Context) ([]store.User, error) {
	rows, err := s.pool.Query(ctx, duplicateKeysSQL)
	if err != nil {
		return nil, wrap(err, "duplicate user ids")
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap(err, "duplicate user ids")
	}
	if len(keys) == 0 {
		return []store.User{}, nil
	}
	out, err := s.queryUsers(ctx, "duplicate user ids", duplicateUsersSQL, keys)
	if out == nil && err == nil {
		out = []store.User{}
	}
	return out, err
}

// heldError explains a uniqueness conflict on userID by naming the user
// who holds it: another local user, or an active user of any source.
func (s *Store) heldError(ctx context.Context, what string, userID string, self int64, err error) error {
	users, ferr := s.FindUsers(ctx, userID)
	if ferr == nil {
		for _, u := range users {
			if u.ID != self && (u.Status == store.StatusActive || u.Source == store.SourceLocal) {
				return fmt.Errorf("postgres: %s: %w", what, &store.HeldError{UserID: userID, Holder: u})
			}
		}
	}
	return wrap(err, "%s", what)
}

// LocalUserIDs returns the keys (store.UserIDKey) of all local users' userIds.
func (s *Store) LocalUserIDs(ctx context.Context) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT user_key FROM users WHERE source = 'local'`)
	if err != nil {
		return nil, wrap(err, "local users")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap(err, "local users")
		}
		out[id] = true
	}
	return out, wrap(rows.Err(), "local users")
}

// CreateLocalUser stores a local user; a second one with the same userId
// (compared case-insensitively) is store.ErrConflict.
func (s *Store) CreateLocalUser(ctx context.Context, u store.User) (int64, error) {
	fields, err := json.Marshal(nonNil(u.Fields))
	if err != nil {
		return 0, fmt.Errorf("postgres: create local user: %w", err)
	}
	if u.Status == "" {
		u.Status = store.StatusActive
	}
	var id int64
	// The unique index of local userIds predates user_key and folds as
	// the database's locale does: NOT EXISTS refuses a userId another local
	// user holds in any case.
	err = s.pool.QueryRow(ctx, `INSERT INTO users(user_id, user_key, status, source, fields, password_hash)
		SELECT $1, $5, $2, 'local', $3, $4 WHERE NOT EXISTS (SELECT 1 FROM users WHERE source = 'local' AND user_key = $5)
		RETURNING id`, u.UserID, u.Status, fields, u.PasswordHash, store.UserIDKey(u.UserID)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrConflict
	}
	if errors.Is(err, store.ErrConflict) || isCode(err, uniqueViolation) {
		return 0, s.heldError(ctx, fmt.Sprintf("create local user %q", u.UserID), u.UserID, 0, err)
	}
	return id, wrap(err, "create local user %q", u.UserID)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// SetUserField records an operator's edit of one field and resets the
// user's hash so that the next run re-evaluates the user.
func (s *Store) SetUserField(ctx context.Context, id int64, field, value string) error {
	q := `UPDATE users SET fields = fields || jsonb_build_object($2::text, $3::text), hash = 0, updated_at = now() WHERE id = $1 RETURNING connection`
	args := []any{id, field, value}
	if value == "" {
		q = `UPDATE users SET fields = fields - $2::text, hash = 0, updated_at = now() WHERE id = $1 RETURNING connection`
		args = args[:2]
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var conn string
		if err := tx.QueryRow(ctx, q, args...).Scan(&conn); err != nil {
			return err
		}
		// An incremental run reads only what changed in the directory, so
		// it would never look at this user again: dropping the change token
		// makes the next run full.
		_, err := tx.Exec(ctx, `UPDATE connections SET change_token = '' WHERE name = $1`, conn)
		return err
	})
	return wrap(err, "set field %q of user %d", field, id)
}

// LookupIndex returns the index entries of the connection's directory
// users linked to exts, in one statement through the users_link index.
func (s *Store) LookupIndex(ctx context.Context, conn string, exts []string) ([]store.IndexEntry, error) {
	if len(exts) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, external_id, user_id, status, hash, deactivated_at FROM users
		WHERE connection = $1 AND source = 'directory' AND external_id = ANY($2)`, conn, exts)
	if err != nil {
		return nil, wrap(err, "look up index of %q", conn)
	}
	defer rows.Close()
	var out []store.IndexEntry
	for rows.Next() {
		var e store.IndexEntry
		var hash int64
		var since *time.Time
		if err := rows.Scan(&e.ID, &e.ExternalID, &e.UserID, &e.Status, &hash, &since); err != nil {
			return nil, wrap(err, "look up index of %q", conn)
		}
		e.Hash = uint64(hash)
		if since != nil {
			e.InactiveSince = *since
		}
		out = append(out, e)
	}
	return out, wrap(rows.Err(), "look up index of %q", conn)
}
