package ldap

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"
)

// completeRanges fetches the rest of every attribute Active Directory sent
// in ranges. A multi-valued attribute with more values than the server's
// MaxValRange (1,500 by default, group member lists) arrives as
// "member;range=0-1499"; the rest is read with base-scope searches for
// "member;range=1500-*" until a range ends in "*". The values are merged
// under the plain name, so callers never see ranges.
func (c *Conn) completeRanges(ctx context.Context, e *ldapv3.Entry) error {
	for _, a := range e.Attributes {
		name, rng, ok := strings.Cut(a.Name, ";range=")
		if !ok {
			continue
		}
		_, high, _ := strings.Cut(rng, "-")
		for high != "*" {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("ldap: ranged read of %s of %q: %w", name, e.DN, err)
			}
			last, err := strconv.Atoi(high)
			if err != nil {
				return &Problem{Kind: KindDirectory, Msg: fmt.Sprintf("ranged read of %s of %q: bad range %q from the server", name, e.DN, a.Name)}
			}
			vals, next, err := c.readRange(e.DN, name, last+1)
			if err != nil {
				return err
			}
			a.Values = append(a.Values, vals...)
			a.ByteValues = append(a.ByteValues, bytesOf(vals)...)
			high = next
		}
		a.Name = name
	}
	return nil
}

// readRange reads attr of dn from index low on and returns the values and
// the upper end of the range the server sent ("*" when it was the last).
func (c *Conn) readRange(dn, attr string, low int) ([]string, string, error) {
	want := fmt.Sprintf("%s;range=%d-*", attr, low)
	req := ldapv3.NewSearchRequest(dn, ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{want}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return nil, "", classifySearch(dn, err)
	}
	if len(res.Entries) == 1 {
		for _, a := range res.Entries[0].Attributes {
			n, rng, ok := strings.Cut(a.Name, ";range=")
			if ok && strings.EqualFold(n, attr) {
				_, high, _ := strings.Cut(rng, "-")
				return a.Values, high, nil
			}
		}
	}
	// No ranged attribute in the answer: the server has no values past low
	// (the previous range ended exactly at the last value).
	return nil, "*", nil
}

func bytesOf(vals []string) [][]byte {
	out := make([][]byte, len(vals))
	for i, v := range vals {
		out[i] = []byte(v)
	}
	return out
}
