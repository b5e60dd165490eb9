package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// goSteps are the parts of migrations that SQL cannot do, by version: each
// runs after the migration's SQL, in the migration transaction.
var goSteps = map[int]func(ctx context.Context, tx pgx.Tx) error{
	4: fillUserKeys,
}

// fillUserKeys computes user_key for every existing user. Active users who
// share a key with an older active user keep their row id in id_clash
// (which exempts them from the unique index and lists them among the
// duplicates) and the oldest gets 0, so that an upgrade never fails on
// users stored before the key existed. The unique index of active userIds
// is then built on the key.
func fillUserKeys(ctx context.Context, tx pgx.Tx) error {
	var last int64
	for {
		rows, err := tx.Query(ctx, `SELECT id, user_id FROM users WHERE id > $1 ORDER BY id LIMIT 5000`, last)
		if err != nil {
			return fmt.Errorf("migrate user keys: %w", err)
		}
		var ids []int64
		var keys []string
		for rows.Next() {
			var id int64
			var userID string
			if err := rows.Scan(&id, &userID); err != nil {
				rows.Close()
				return fmt.Errorf("migrate user keys: %w", err)
			}
			ids, keys = append(ids, id), append(keys, store.UserIDKey(userID))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("migrate user keys: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		if _, err := tx.Exec(ctx, `UPDATE users u SET user_key = v.k FROM unnest($1::bigint[], $2::text[]) AS v(id, k) WHERE u.id = v.id`, ids, keys); err != nil {
			return fmt.Errorf("migrate user keys: %w", err)
		}
		last = ids[len(ids)-1]
	}
	for _, q := range []string{
		`CREATE INDEX users_user_key ON users(user_key)`,
		`UPDATE users SET id_clash = CASE WHEN EXISTS (
			SELECT 1 FROM users o WHERE o.status = 'active' AND o.user_key = users.user_key AND o.id < users.id) THEN id ELSE 0 END
			WHERE status = 'active'`,
		`CREATE UNIQUE INDEX users_active_user_id ON users(user_key, id_clash) WHERE status = 'active'`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("migrate user keys: %w", err)
		}
	}
	return nil
}
