package sqlite

import "github.com/usersync/usersync/internal/store"

// sqliteUserOrder is the ORDER BY of a UserQuery.Sort; only these fixed
// texts ever reach the query.
func sqliteUserOrder(sort string) string {
	switch sort {
	case store.UserSortUserID:
		return "lower(user_id), id"
	case store.UserSortUpdated:
		return "updated_at DESC, id DESC"
	case store.UserSortStatus:
		return "status, lower(user_id), id"
	}
	return "connection, lower(user_id), id"
}
