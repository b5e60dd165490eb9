package writeback

import (
	"context"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/upn"
)

// userIndex finds the usersync user a directory entry links to by the
// link field's value, compared case-insensitively.
type userIndex struct {
	field string
	byKey map[string][]store.User
}

// loadUsers indexes the active users of every connection but the relying
// party itself (local users included: linking never modifies a user) by
// field: userId or a mapped field such as email.
func loadUsers(ctx context.Context, st Store, rp, field string) (*userIndex, error) {
	users, err := st.ListUsers(ctx, store.UserQuery{Status: store.StatusActive})
	if err != nil {
		return nil, fmt.Errorf("writeback: list users: %w", err)
	}
	ix := &userIndex{field: field, byKey: make(map[string][]store.User, len(users))}
	for _, u := range users {
		if u.Connection == rp {
			continue
		}
		if v := strings.TrimSpace(fieldValue(u, field)); v != "" {
			k := upn.Fold(v)
			ix.byKey[k] = append(ix.byKey[k], u)
		}
	}
	return ix, nil
}

// fieldValue returns a user's userId or one of its mapped fields.
func fieldValue(u store.User, field string) string {
	if field == connection.FieldUserID {
		return u.UserID
	}
	return u.Fields[field]
}

// lookup returns the one user whose field equals key, or a reason why
// there is none.
func (ix *userIndex) lookup(key string) (store.User, string) {
	us := ix.byKey[upn.Fold(key)]
	switch len(us) {
	case 0:
		return store.User{}, fmt.Sprintf("no active usersync user has %s %q", ix.field, key)
	case 1:
		return us[0], ""
	}
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = fmt.Sprintf("%s (%s)", u.UserID, sourceName(u))
	}
	return store.User{}, fmt.Sprintf("%d usersync users have %s %q: %s; linking is ambiguous", len(us), ix.field, key, strings.Join(ids, ", "))
}

func sourceName(u store.User) string {
	if u.Connection == "" {
		return "local"
	}
	return u.Connection
}

// foldKey is the case-insensitive key of a userId.
func foldKey(s string) string { return upn.Fold(strings.TrimSpace(s)) }
