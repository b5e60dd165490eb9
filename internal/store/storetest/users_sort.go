package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// testUserSort: users list by userId (any case), by last update (newest
// first) or by status; an unknown order is the default one.
func testUserSort(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, u := range []struct{ id, status string }{{"carol", store.StatusActive}, {"Alice", store.StatusInactive}, {"bob", store.StatusActive}} {
		if _, err := s.CreateLocalUser(ctx, store.User{UserID: u.id, Status: u.status, Source: store.SourceLocal, PasswordHash: "h"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	order := func(sort string) string {
		t.Helper()
		list, err := s.ListUsers(ctx, store.UserQuery{Sort: sort, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, u := range list {
			ids = append(ids, u.UserID)
		}
		return strings.Join(ids, ",")
	}
	for _, tc := range []struct{ sort, want string }{
		{store.UserSortUserID, "Alice,bob,carol"},
		{store.UserSortUpdated, "bob,Alice,carol"},
		{store.UserSortStatus, "bob,carol,Alice"},
		{"", "Alice,bob,carol"},
		{"user_id; DROP TABLE users", "Alice,bob,carol"},
	} {
		if got := order(tc.sort); got != tc.want {
			t.Errorf("Sort %q = %s, want %s", tc.sort, got, tc.want)
		}
	}
}
