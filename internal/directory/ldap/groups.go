package ldap

import (
	"context"

	"github.com/usersync/usersync/internal/directory"
)

// SearchComplete is Search for entries with large multi-valued attributes,
// such as groups and their member attribute. Active Directory returns at
// most 1,500 values of an attribute per entry ("member;range=0-1499");
// the go-ldap path of Search fetches the remaining ranges of every entry
// (see completeRanges), and SearchComplete always takes that path.
func (c *Conn) SearchComplete(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error {
	return c.search(ctx, q, nil, fn) // never the fast path: it cannot complete ranges
}
