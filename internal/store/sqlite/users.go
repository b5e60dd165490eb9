package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

const userColumns = `id, connection, external_id, user_id, status, source, fields, hash, password_hash, created_at, updated_at, super_user`

type scanner interface{ Scan(dest ...any) error }

func scanUser(r scanner) (store.User, error) {
	var u store.User
	var fields, created, updated string
	var hash int64
	if err := r.Scan(&u.ID, &u.Connection, &u.ExternalID, &u.UserID, &u.Status, &u.Source, &fields, &hash, &u.PasswordHash, &created, &updated, &u.SuperUser); err != nil {
		return u, err
	}
	u.Hash = uint64(hash)
	u.CreatedAt, u.UpdatedAt = parseTime(created), parseTime(updated)
	if err := json.Unmarshal([]byte(fields), &u.Fields); err != nil {
		return u, fmt.Errorf("user %d fields: %w", u.ID, err)
	}
	return u, nil
}

// ScanIndex streams a connection's directory users in id order.
func (s *Store) ScanIndex(ctx context.Context, conn string, fn func(store.IndexEntry) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, external_id, user_id, status, hash, deactivated_at FROM users WHERE connection = ? AND source = 'directory'`, conn)
	if err != nil {
		return wrap(err, "scan index %q", conn)
	}
	defer rows.Close()
	for rows.Next() {
		var e store.IndexEntry
		var hash int64
		var since sql.NullString
		if err := rows.Scan(&e.ID, &e.ExternalID, &e.UserID, &e.Status, &hash, &since); err != nil {
			return wrap(err, "scan index %q", conn)
		}
		e.Hash = uint64(hash)
		if since.Valid {
			e.InactiveSince = parseTime(since.String)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// GetUsers returns the users with the given row ids, in no particular order.
func (s *Store) GetUsers(ctx context.Context, ids []int64) ([]store.User, error) {
	out := make([]store.User, 0, len(ids))
	// SQLite limits bound parameters; 500 per statement stays well inside it.
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT ` + userColumns + ` FROM users WHERE id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, wrap(err, "get users")
		}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return nil, wrap(err, "get users")
			}
			out = append(out, u)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, wrap(err, "get users")
		}
	}
	return out, nil
}

// GetUser returns one user by row id.
func (s *Store) GetUser(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("sqlite: user %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return u, wrap(err, "get user %d", id)
	}
	return u, nil
}

// FindUsers returns the users whose userId equals userID, ignoring case.
func (s *Store) FindUsers(ctx context.Context, userID string) ([]store.User, error) {
	return queryAll(ctx, s.db, fmt.Sprintf("find users %q", userID), scanUser, `SELECT `+userColumns+` FROM users WHERE user_key = ? ORDER BY id`, store.UserIDKey(userID))
}

// ListUsers returns users matching q, ordered by connection and userId.
func (s *Store) ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error) {
	where := []string{"1=1"}
	var args []any
	if q.Connection != "" {
		where, args = append(where, "connection = ?"), append(args, q.Connection)
	}
	if q.Status != "" {
		where, args = append(where, "status = ?"), append(args, q.Status)
	}
	if q.Search != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q.Search)) + "%"
		where = append(where, `(lower(user_id) LIKE ? ESCAPE '\' OR lower(fields) LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit, q.Offset)
	return queryAll(ctx, s.db, "list users", scanUser, `SELECT `+userColumns+` FROM users WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+sqliteUserOrder(q.Sort)+` LIMIT ? OFFSET ?`, args...)
}

// FindActiveUsers returns the active users whose userId equals one of
// userIDs, ignoring case.
func (s *Store) FindActiveUsers(ctx context.Context, userIDs []string) ([]store.User, error) {
	out := []store.User{}
	for start := 0; start < len(userIDs); start += 500 {
		chunk := userIDs[start:min(start+500, len(userIDs))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = store.UserIDKey(id)
		}
		users, err := queryAll(ctx, s.db, "find active users", scanUser, `SELECT `+userColumns+` FROM users
			WHERE status = 'active' AND user_key IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) ORDER BY id`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, users...)
	}
	return out, nil
}

// DuplicateUserIDs returns the active users sharing their userId with
// another active user. The unique index admits such users only when
// id_clash exempts all but one of them, so the kept duplicates' userIds
// are the only candidates.
func (s *Store) DuplicateUserIDs(ctx context.Context) ([]store.User, error) {
	out, err := queryAll(ctx, s.db, "duplicate user ids", scanUser, `SELECT `+userColumns+` FROM users u
		WHERE status = 'active' AND user_key IN (SELECT user_key FROM users WHERE id_clash <> 0 AND status = 'active')
		ORDER BY user_key, id`)
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
				return fmt.Errorf("sqlite: %s: %w", what, &store.HeldError{UserID: userID, Holder: u})
			}
		}
	}
	return wrap(err, "%s", what)
}

// LocalUserIDs returns the keys (store.UserIDKey) of all local users' userIds.
func (s *Store) LocalUserIDs(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_key FROM users WHERE source = 'local'`)
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
	return out, rows.Err()
}

// CreateLocalUser stores a local user; a second one with the same userId
// (compared case-insensitively) is store.ErrConflict.
func (s *Store) CreateLocalUser(ctx context.Context, u store.User) (int64, error) {
	fields, err := json.Marshal(nonNil(u.Fields))
	if err != nil {
		return 0, wrap(err, "create local user")
	}
	if u.Status == "" {
		u.Status = store.StatusActive
	}
	t := now()
	key := store.UserIDKey(u.UserID)
	// The unique index of local userIds predates user_key and folds ASCII
	// only: NOT EXISTS refuses a userId another local user holds in any case.
	res, err := s.db.ExecContext(ctx, `INSERT INTO users(connection, external_id, user_id, user_key, status, source, fields, password_hash, created_at, updated_at)
		SELECT '', '', ?, ?, ?, 'local', ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM users WHERE source = 'local' AND user_key = ?)`, u.UserID, key, u.Status, string(fields), u.PasswordHash, t, t, key)
	if err != nil {
		if isConflict(err) {
			return 0, s.heldError(ctx, fmt.Sprintf("create local user %q", u.UserID), u.UserID, 0, err)
		}
		return 0, wrap(err, "create local user")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, s.heldError(ctx, fmt.Sprintf("create local user %q", u.UserID), u.UserID, 0, store.ErrConflict)
	}
	return res.LastInsertId()
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
	q := `UPDATE users SET fields = json_set(fields, ?, ?), hash = 0, updated_at = ? WHERE id = ?`
	args := []any{jsonPath(field), value, now(), id}
	if value == "" {
		q = `UPDATE users SET fields = json_remove(fields, ?), hash = 0, updated_at = ? WHERE id = ?`
		args = []any{jsonPath(field), now(), id}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, "set field %q of user %d", field, id)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return wrap(err, "set field %q of user %d", field, id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: user %d: %w", id, store.ErrNotFound)
	}
	// An incremental run reads only what changed in the directory, so it
	// would never look at this user again: dropping the connection's change
	// token makes the next run full, and the mappings' strength decides
	// whether the edit survives.
	if _, err := tx.ExecContext(ctx, `UPDATE connections SET change_token = '' WHERE name = (SELECT connection FROM users WHERE id = ?)`, id); err != nil {
		return wrap(err, "set field %q of user %d", field, id)
	}
	return tx.Commit()
}

// lookupChunk is how many external ids one lookup statement binds; SQLite
// limits bound parameters, and 500 stays well inside the limit.
const lookupChunk = 500

// LookupIndex returns the index entries of the connection's directory
// users linked to exts, through the users_link index, 500 ids a statement.
func (s *Store) LookupIndex(ctx context.Context, conn string, exts []string) ([]store.IndexEntry, error) {
	var out []store.IndexEntry
	for start := 0; start < len(exts); start += lookupChunk {
		chunk := exts[start:min(start+lookupChunk, len(exts))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, conn)
		for _, e := range chunk {
			args = append(args, e)
		}
		rows, err := s.db.QueryContext(ctx, lookupIndexQuery(len(chunk)), args...)
		if err != nil {
			return nil, wrap(err, "look up index of %q", conn)
		}
		for rows.Next() {
			var e store.IndexEntry
			var hash int64
			var since sql.NullString
			if err := rows.Scan(&e.ID, &e.ExternalID, &e.UserID, &e.Status, &hash, &since); err != nil {
				rows.Close()
				return nil, wrap(err, "look up index of %q", conn)
			}
			e.Hash = uint64(hash)
			if since.Valid {
				e.InactiveSince = parseTime(since.String)
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap(err, "look up index of %q", conn)
		}
	}
	return out, nil
}

// lookupIndexQuery selects the index entries of n external ids; its
// arguments are the connection and the ids.
func lookupIndexQuery(n int) string {
	return `SELECT id, external_id, user_id, status, hash, deactivated_at FROM users
		WHERE connection = ? AND source = 'directory' AND external_id IN (?` + strings.Repeat(",?", n-1) + `)`
}
