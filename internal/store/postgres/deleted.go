package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// keepDeletedSQL copies directory users into deleted_users just before a
// run deletes them; its arguments are the run id, the time and the row ids.
const keepDeletedSQL = `INSERT INTO deleted_users(run_id, user_row_id, connection, external_id, user_id, status, fields, hash, super_user, created_at, deleted_at, memberships)
	SELECT $1, id, connection, external_id, user_id, status, fields, hash, super_user, created_at, $2,
		COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'name', e.name, 'source', m.source))
			FROM memberships m JOIN app_entities e ON e.id = m.entity_id WHERE m.user_row_id = users.id), '[]'::jsonb)
	FROM users WHERE id = ANY($3) AND source = 'directory'
	ON CONFLICT (run_id, user_row_id) DO NOTHING`

// DeletedUser returns the state a run's delete kept of a user.
func (s *Store) DeletedUser(ctx context.Context, runID, userRowID int64) (store.DeletedUser, error) {
	var d store.DeletedUser
	var fields, memberships []byte
	var hash int64
	err := s.pool.QueryRow(ctx, `SELECT run_id, user_row_id, connection, external_id, user_id, status, fields, hash, super_user, created_at, deleted_at, memberships
		FROM deleted_users WHERE run_id = $1 AND user_row_id = $2`, runID, userRowID).Scan(&d.RunID, &d.User.ID, &d.User.Connection,
		&d.User.ExternalID, &d.User.UserID, &d.User.Status, &fields, &hash, &d.User.SuperUser, &d.User.CreatedAt, &d.DeletedAt, &memberships)
	if err != nil {
		return d, wrap(err, "user %d deleted by run %d", userRowID, runID)
	}
	d.User.Source, d.User.Hash = store.SourceDirectory, uint64(hash)
	if err := json.Unmarshal(fields, &d.User.Fields); err != nil {
		return d, fmt.Errorf("postgres: deleted user %d of run %d: %w", userRowID, runID, err)
	}
	if err := json.Unmarshal(memberships, &d.Memberships); err != nil {
		return d, fmt.Errorf("postgres: memberships of deleted user %d of run %d: %w", userRowID, runID, err)
	}
	return d, nil
}

// PurgeDeletedUsers forgets the users deleted before cutoff.
func (s *Store) PurgeDeletedUsers(ctx context.Context, cutoff time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM deleted_users WHERE deleted_at < $1`, cutoff)
	if err != nil {
		return 0, wrap(err, "purge deleted users")
	}
	return int(tag.RowsAffected()), nil
}
