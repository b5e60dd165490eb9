package reconcile

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// runUniques checks the candidates of SelectUniqueValue during one run. A
// value of a field is free for an entry when no stored user other than the
// entry's own holds it in that field, and no other entry of the run has
// claimed it; values are compared case-insensitively. The stored users are
// read once, at the first check, so a run whose mappings do not use
// SelectUniqueValue reads nothing more.
type runUniques struct {
	// ctx is the run's context; the checker lives only as long as the run.
	ctx    context.Context
	users  store.Users
	conn   string
	held   map[string]string // field NUL lower-case value → owner
	loaded bool
	// ext is the linking-key value of the entry being decided.
	ext string
}

func newRunUniques(ctx context.Context, users store.Users, conn string) *runUniques {
	return &runUniques{ctx: ctx, users: users, conn: conn, held: map[string]string{}}
}

func uniqueKey(field, value string) string { return field + "\x00" + strings.ToLower(value) }

// ownerOf names a user for claims: its connection and linking-key value,
// or its id for a local user.
func ownerOf(conn, ext string) string { return conn + "\x00" + ext }

func (u *runUniques) load() error {
	all, err := u.users.ListUsers(u.ctx, store.UserQuery{})
	if err != nil {
		return fmt.Errorf("uniqueness: list users: %w", err)
	}
	for _, su := range all {
		owner := ownerOf(su.Connection, su.ExternalID)
		if su.Connection == "" {
			owner = "local\x00" + strconv.FormatInt(su.ID, 10)
		}
		if su.UserID != "" {
			u.held[uniqueKey(mapping.FieldUserID, su.UserID)] = owner
		}
		for f, v := range su.Fields {
			if v != "" {
				u.held[uniqueKey(f, v)] = owner
			}
		}
	}
	u.loaded = true
	return nil
}

// forEntry makes u the check for the entry whose linking-key value is ext,
// until the next call. It does not allocate, so that runs without
// SelectUniqueValue pay nothing per entry.
func (u *runUniques) forEntry(ext string) mapping.Uniqueness {
	u.ext = ext
	return u
}

// Claim reports whether value is free for the current entry in field, and
// claims it for the entry when it is.
func (u *runUniques) Claim(field, value string) (bool, error) {
	if !u.loaded {
		if err := u.load(); err != nil {
			return false, err
		}
	}
	owner := ownerOf(u.conn, u.ext)
	k := uniqueKey(field, value)
	if o, ok := u.held[k]; ok && o != owner {
		return false, nil
	}
	u.held[k] = owner
	return true, nil
}

// StoreUniqueness is the SelectUniqueValue check of one decision made
// outside a run, such as an explanation: candidates are checked against the
// stored users, as a run's first entry would be.
func StoreUniqueness(ctx context.Context, users store.Users, conn, ext string) mapping.Uniqueness {
	return newRunUniques(ctx, users, conn).forEntry(ext)
}
