package ldap

import (
	"context"

	"github.com/usersync/usersync/internal/directory"
)

// SearchComplete is Search for entries with large multi-valued attributes,
// such as groups and their member attribute. Active Directory returns at
// most 1,500 values of an attribute per entry ("member;range=0-1499");
// Search already fetches the remaining ranges of every entry (see
// completeRanges), so this is Search under the name the group rules ask
// for, which keeps that promise explicit at the call site.
func (c *Conn) SearchComplete(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error {
	return c.Search(ctx, q, fn)
}
