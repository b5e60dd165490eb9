package ldap

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// SearchComplete is Search for entries with large multi-valued attributes,
// such as groups and their member attribute: Active Directory returns at
// most 1,500 values of an attribute per entry ("member;range=0-1499"), and
// SearchComplete fetches the remaining ranges of such entries (one base
// search per further 1,500 values) before handing them to fn under the
// plain attribute name. Entries that arrived whole are passed on at once;
// the incomplete ones are finished after the paged search is done, so the
// server never holds two searches of this connection open.
func (c *Conn) SearchComplete(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error {
	var partial []*directory.Entry
	err := c.Search(ctx, q, func(e *directory.Entry) error {
		if !mergeRanges(e) {
			partial = append(partial, e)
			return nil
		}
		return fn(e)
	})
	if err != nil {
		return err
	}
	for _, e := range partial {
		if err := c.completeRanges(ctx, e); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// parseRange splits "member;range=0-1499" into "member", 0 and 1499; an
// open end ("*") is -1. ok is false for a name without a range option.
func parseRange(name string) (base string, lo, hi int, ok bool) {
	i := strings.Index(name, ";range=")
	if i < 0 {
		return name, 0, 0, false
	}
	spec := name[i+len(";range="):]
	los, his, found := strings.Cut(spec, "-")
	if !found {
		return name, 0, 0, false
	}
	lo, err := strconv.Atoi(los)
	if err != nil {
		return name, 0, 0, false
	}
	hi = -1
	if his != "*" {
		if hi, err = strconv.Atoi(his); err != nil {
			return name, 0, 0, false
		}
	}
	return name[:i], lo, hi, true
}

// mergeRanges moves ranged values to their plain attribute name and reports
// whether the entry is complete (every range ended with "*").
func mergeRanges(e *directory.Entry) bool {
	complete := true
	for name, vals := range e.Attrs {
		base, _, hi, ok := parseRange(name)
		if !ok {
			continue
		}
		delete(e.Attrs, name)
		e.Attrs[base] = append(e.Attrs[base], vals...)
		if hi >= 0 {
			complete = false
			e.Attrs[rangeKey(base)] = []string{strconv.Itoa(hi + 1)}
		}
	}
	return complete
}

// rangeKey holds, while an entry is incomplete, where its next range starts.
func rangeKey(base string) string { return "\x00next;" + base }

func (c *Conn) completeRanges(ctx context.Context, e *directory.Entry) error {
	for key, next := range e.Attrs {
		base, found := strings.CutPrefix(key, "\x00next;")
		if !found {
			continue
		}
		delete(e.Attrs, key)
		lo, _ := strconv.Atoi(next[0])
		for lo >= 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("ldap: read %s of %q: %w", base, e.DN, err)
			}
			attr := fmt.Sprintf("%s;range=%d-*", base, lo)
			req := ldapv3.NewSearchRequest(e.DN, ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", []string{attr}, nil)
			res, err := c.conn.Search(req)
			if err != nil {
				return fmt.Errorf("ldap: read %s of %q: %w", attr, e.DN, classifySearch(e.DN, err))
			}
			if len(res.Entries) != 1 {
				return fmt.Errorf("ldap: read %s of %q: %d entries returned", attr, e.DN, len(res.Entries))
			}
			lo = -1
			for _, a := range res.Entries[0].Attributes {
				b, _, hi, ok := parseRange(strings.ToLower(a.Name))
				if !ok || b != base {
					continue
				}
				e.Attrs[base] = append(e.Attrs[base], a.Values...)
				if hi >= 0 {
					lo = hi + 1
				}
			}
		}
	}
	return nil
}
