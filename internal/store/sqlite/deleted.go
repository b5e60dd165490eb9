package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// keepDeletedSQL copies a directory user into deleted_users just before a
// run deletes it; its arguments are the run id, the time and the row id.
const keepDeletedSQL = `INSERT INTO deleted_users(run_id, user_row_id, connection, external_id, user_id, status, fields, hash, super_user, created_at, deleted_at, memberships)
	SELECT ?1, id, connection, external_id, user_id, status, fields, hash, super_user, created_at, ?2,
		(SELECT json_group_array(json_object('kind', e.kind, 'name', e.name, 'source', m.source))
			FROM memberships m JOIN app_entities e ON e.id = m.entity_id WHERE m.user_row_id = users.id)
	FROM users WHERE id = ?3 AND source = 'directory'
	ON CONFLICT(run_id, user_row_id) DO NOTHING`

// DeletedUser returns the state a run's delete kept of a user.
func (s *Store) DeletedUser(ctx context.Context, runID, userRowID int64) (store.DeletedUser, error) {
	var d store.DeletedUser
	var fields, created, deleted, memberships string
	var hash int64
	err := s.db.QueryRowContext(ctx, `SELECT run_id, user_row_id, connection, external_id, user_id, status, fields, hash, super_user, created_at, deleted_at, memberships
		FROM deleted_users WHERE run_id = ? AND user_row_id = ?`, runID, userRowID).Scan(&d.RunID, &d.User.ID, &d.User.Connection,
		&d.User.ExternalID, &d.User.UserID, &d.User.Status, &fields, &hash, &d.User.SuperUser, &created, &deleted, &memberships)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("sqlite: user %d deleted by run %d: %w", userRowID, runID, store.ErrNotFound)
	}
	if err != nil {
		return d, wrap(err, "deleted user %d of run %d", userRowID, runID)
	}
	d.User.Source, d.User.Hash = store.SourceDirectory, uint64(hash)
	d.User.CreatedAt, d.DeletedAt = parseTime(created), parseTime(deleted)
	if err := json.Unmarshal([]byte(fields), &d.User.Fields); err != nil {
		return d, fmt.Errorf("sqlite: deleted user %d of run %d: %w", userRowID, runID, err)
	}
	if err := json.Unmarshal([]byte(memberships), &d.Memberships); err != nil {
		return d, fmt.Errorf("sqlite: memberships of deleted user %d of run %d: %w", userRowID, runID, err)
	}
	return d, nil
}

// PurgeDeletedUsers forgets the users deleted before cutoff.
func (s *Store) PurgeDeletedUsers(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM deleted_users WHERE deleted_at < ?`, cutoff.UTC().Format(timeFormat))
	if err != nil {
		return 0, wrap(err, "purge deleted users")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
