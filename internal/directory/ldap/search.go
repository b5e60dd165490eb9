package ldap

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// Search streams every entry matching q, one page at a time, so memory holds
// one page however large the directory is. It returns nil only when the last
// page was read and the server reported success; a cancelled context, a
// lost connection or a server limit is an error, so that a partial read
// never deactivates anyone.
func (c *Conn) Search(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error {
	// The fast path holds the socket until the search ends, so it serves
	// only connections whose caller asked for it (UseFastSearch): a caller
	// that writes from inside fn, or needs Active Directory's ranged
	// attributes completed, takes go-ldap's path.
	if c.fast && c.h != nil && useFastSearch && c.flavor != directory.FlavorActiveDirectory {
		return c.fastSearch(ctx, q, fn)
	}
	return c.search(ctx, q, nil, fn)
}

// search is Search with extra request controls, such as Show Deleted.
func (c *Conn) search(ctx context.Context, q directory.Query, controls []ldapv3.Control, fn func(*directory.Entry) error) error {
	pageSize := q.PageSize
	if pageSize <= 0 {
		pageSize = 1000
	}
	paging := ldapv3.NewControlPaging(uint32(pageSize))
	req := ldapv3.NewSearchRequest(q.BaseDN, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases,
		0, 0, false, q.Filter, q.Attributes, append([]ldapv3.Control{paging}, controls...))
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("ldap: search %q: %w", q.BaseDN, err)
		}
		res, err := c.conn.Search(req)
		if err != nil {
			return c.searchFailed(q, err)
		}
		for _, e := range res.Entries {
			if err := c.completeRanges(ctx, e); err != nil {
				c.abandonPaging(req, paging)
				return err
			}
			if err := fn(convertEntry(e)); err != nil {
				c.abandonPaging(req, paging)
				return err
			}
		}
		ctl := ldapv3.FindControl(res.Controls, ldapv3.ControlTypePaging)
		if ctl == nil {
			// The server ignored the paging control and returned everything
			// in one result with a success code: the read is complete.
			return nil
		}
		cookie := ctl.(*ldapv3.ControlPaging).Cookie
		if len(cookie) == 0 {
			return nil
		}
		paging.SetCookie(cookie)
	}
}

// abandonPaging tells the server to drop the paged result set when a caller
// stops early, so that it does not hold the search state until time-out.
func (c *Conn) abandonPaging(req *ldapv3.SearchRequest, paging *ldapv3.ControlPaging) {
	paging.PagingSize = 0
	_, _ = c.conn.Search(req)
}

// convertEntry lower-cases attribute names and turns binary identifiers into
// their canonical text forms, so the rest of usersync deals in strings.
func convertEntry(e *ldapv3.Entry) *directory.Entry {
	attrs := make(map[string][]string, len(e.Attributes))
	for _, a := range e.Attributes {
		name := strings.ToLower(a.Name)
		switch name {
		case "objectguid":
			vals := make([]string, 0, len(a.ByteValues))
			for _, b := range a.ByteValues {
				vals = append(vals, FormatGUID(b))
			}
			attrs[name] = vals
		case "objectsid":
			vals := make([]string, 0, len(a.ByteValues))
			for _, b := range a.ByteValues {
				vals = append(vals, FormatSID(b))
			}
			attrs[name] = vals
		default:
			attrs[name] = a.Values
		}
	}
	return &directory.Entry{DN: e.DN, Attrs: attrs}
}

// searchFailed classifies an error of go-ldap's search path. go-ldap reports
// a silent server as a network error that says "timed out", and a lost
// connection as a plain error once its reader has stopped: both name their
// cause here, as the fast path does.
func (c *Conn) searchFailed(q directory.Query, err error) error {
	var le *ldapv3.Error
	isLDAP := errors.As(err, &le)
	switch {
	case isLDAP && le.ResultCode == ldapv3.ErrorNetwork && strings.Contains(le.Err.Error(), "timed out"):
		return &Problem{Kind: KindUnreachable, Field: "timeoutSeconds", Err: err, Msg: fmt.Sprintf(
			"the server sent nothing for %s while searching %q (timeoutSeconds); the read is incomplete", c.requestTimeout(), q.BaseDN)}
	case !isLDAP && c.conn.IsClosing():
		return classifySearch(q.BaseDN, ldapv3.NewError(ldapv3.ErrorNetwork, err))
	}
	return classifySearch(q.BaseDN, err)
}
