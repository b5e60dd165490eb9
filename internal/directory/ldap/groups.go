package ldap

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/directory"
)

// SearchComplete is Search for entries with large multi-valued attributes,
// such as groups and their member attribute. Active Directory returns at
// most 1,500 values of an attribute per entry ("member;range=0-1499");
// the go-ldap path of Search fetches the remaining ranges of every entry
// (see completeRanges). Other servers send whole attributes, and there the
// fast path reads the groups as it reads users: go-ldap's packet tree for a
// group of 20,000 members allocated about 150 MB per run of a directory
// with 100,000 users in groups. An entry that does arrive with a ranged
// attribute there is set aside and completed once the search has handed the
// socket back.
func (c *Conn) SearchComplete(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error {
	if !(c.fast && c.h != nil && useFastSearch && c.flavor != directory.FlavorActiveDirectory) {
		return c.search(ctx, q, nil, fn)
	}
	var ranged []*directory.Entry
	err := c.fastSearch(ctx, q, func(e *directory.Entry) error {
		if hasRanges(e) {
			ranged = append(ranged, e)
			return nil
		}
		return fn(e)
	})
	if err != nil {
		return err
	}
	for _, e := range ranged {
		if err := c.completeEntryRanges(ctx, e); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func hasRanges(e *directory.Entry) bool {
	for name := range e.Attrs {
		if strings.Contains(name, ";range=") {
			return true
		}
	}
	return false
}

// completeEntryRanges is completeRanges for an entry the fast path read:
// the rest of each ranged attribute is read with go-ldap and merged under
// the plain, lower-cased name.
func (c *Conn) completeEntryRanges(ctx context.Context, e *directory.Entry) error {
	for full, vals := range e.Attrs {
		name, rng, ok := strings.Cut(full, ";range=")
		if !ok {
			continue
		}
		_, high, _ := strings.Cut(rng, "-")
		all := append([]string(nil), vals...)
		for high != "*" {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("ldap: ranged read of %s of %q: %w", name, e.DN, err)
			}
			last, err := strconv.Atoi(high)
			if err != nil {
				return &Problem{Kind: KindDirectory, Msg: fmt.Sprintf("ranged read of %s of %q: bad range %q from the server", name, e.DN, full)}
			}
			more, next, err := c.readRange(e.DN, name, last+1)
			if err != nil {
				return err
			}
			all = append(all, more...)
			high = next
		}
		delete(e.Attrs, full)
		e.Attrs[strings.ToLower(name)] = all
	}
	return nil
}
