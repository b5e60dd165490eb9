package sqlite

import (
	"context"
	"database/sql"

	"github.com/usersync/usersync/internal/store"
)

// goSteps are the parts of migrations that SQL cannot do, by version: each
// runs after the migration's SQL, in its transaction.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	10: fillUserKeys,
}

// fillUserKeys computes user_key for every existing user. Active users who
// share a key with an older active user keep their row id in id_clash
// (which exempts them from the unique index and lists them among the
// duplicates) and the oldest gets 0, so that an upgrade never fails on
// users stored before the key existed. The unique index of active userIds
// is then built on the key.
func fillUserKeys(ctx context.Context, tx *sql.Tx) error {
	upd, err := tx.PrepareContext(ctx, `UPDATE users SET user_key = ? WHERE id = ?`)
	if err != nil {
		return wrap(err, "migrate user keys")
	}
	defer upd.Close()
	type row struct {
		id     int64
		userID string
	}
	var last int64
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, user_id FROM users WHERE id > ? ORDER BY id LIMIT 5000`, last)
		if err != nil {
			return wrap(err, "migrate user keys")
		}
		var page []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.userID); err != nil {
				rows.Close()
				return wrap(err, "migrate user keys")
			}
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return wrap(err, "migrate user keys")
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if _, err := upd.ExecContext(ctx, store.UserIDKey(r.userID), r.id); err != nil {
				return wrap(err, "migrate user key of row %d", r.id)
			}
		}
		last = page[len(page)-1].id
	}
	for _, q := range []string{
		`CREATE INDEX users_user_key ON users(user_key)`,
		`UPDATE users SET id_clash = CASE WHEN EXISTS (
			SELECT 1 FROM users o WHERE o.status = 'active' AND o.user_key = users.user_key AND o.id < users.id) THEN id ELSE 0 END
			WHERE status = 'active'`,
		`CREATE UNIQUE INDEX users_active_user_id ON users(user_key, id_clash) WHERE status = 'active'`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return wrap(err, "migrate user keys")
		}
	}
	return nil
}
