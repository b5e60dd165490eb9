package postgres

import "github.com/usersync/usersync/internal/store"

// postgresUserOrder is the ORDER BY of a UserQuery.Sort; only these fixed
// texts ever reach the query.
func postgresUserOrder(sort string) string {
	switch sort {
	case store.UserSortUserID:
		return `lower(user_id) COLLATE "C", id`
	case store.UserSortUpdated:
		return "updated_at DESC, id DESC"
	case store.UserSortStatus:
		return `status COLLATE "C", lower(user_id) COLLATE "C", id`
	}
	return `connection COLLATE "C", lower(user_id) COLLATE "C", id`
}
