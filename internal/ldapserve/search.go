package ldapserve

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// result is what one search request sends back.
type result struct {
	entries []*entry
	code    int
	diag    string
	paging  *gldap.ControlPaging // nil unless the request asked for paging
}

func (l *listener) handleSearch(w *gldap.ResponseWriter, r *gldap.Request) {
	m, err := r.GetSearchMessage()
	if err != nil {
		_ = w.Write(r.NewSearchDoneResponse(gldap.WithResponseCode(gldap.ResultProtocolError)))
		return
	}
	sess := l.session(r.ConnectionID())
	res := l.s.search(context.Background(), sess, !l.ldaps && l.s.cfg.TLS != nil, m)
	for _, e := range res.entries {
		out := r.NewSearchResponseEntry(e.dn)
		for _, a := range selectAttributes(e, m.Attributes) {
			vals := a.values
			if m.TypesOnly {
				vals = nil
			}
			out.AddAttribute(a.name, vals)
		}
		if err := w.Write(out); err != nil {
			return
		}
	}
	done := r.NewSearchDoneResponse(gldap.WithResponseCode(res.code))
	done.SetDiagnosticMessage(res.diag)
	if res.paging != nil {
		done.SetControls(res.paging)
	}
	_ = w.Write(done)
}

// search works out the answer to one search request.
func (s *Server) search(ctx context.Context, sess *session, offersStartTLS bool, m *gldap.SearchMessage) result {
	f, err := compileFilter(m.Filter)
	if err != nil {
		return result{code: gldap.ResultProtocolError, diag: err.Error()}
	}
	limit := s.cfg.MaxTime
	if m.TimeLimit > 0 && time.Duration(m.TimeLimit)*time.Second < limit {
		limit = time.Duration(m.TimeLimit) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	views, err := s.readableViews(ctx, sess)
	if err != nil {
		return result{code: gldap.ResultOther, diag: "the store could not be read"}
	}
	// The root DSE and the schema are readable before a bind (RFC 4512
	// section 5.1), so that clients can discover how to talk to us.
	if m.BaseDN == "" && m.Scope == gldap.BaseObject {
		var bases []string
		for _, v := range views {
			bases = append(bases, v.BaseDN)
		}
		return one(rootDSE(bases, offersStartTLS), f)
	}
	base, err := ldapv3.ParseDN(m.BaseDN)
	if err != nil {
		return result{code: gldap.ResultInvalidDNSyntax, diag: fmt.Sprintf("base %q is not a distinguished name", m.BaseDN)}
	}
	if sameDN(m.BaseDN, subschemaDN) && m.Scope == gldap.BaseObject {
		return one(subschemaEntry(), f)
	}
	if !sess.tls && !s.cfg.AllowPlain {
		return result{code: gldap.ResultConfidentialityRequired, diag: "send StartTLS (or use LDAPS) first"}
	}
	if len(views) == 0 {
		return result{code: gldap.ResultInsufficientAccessRights, diag: "bind as a service account of a view to search"}
	}
	var paging *gldap.ControlPaging
	for _, c := range m.Controls {
		switch c := c.(type) {
		case *gldap.ControlPaging:
			paging = c
		case *gldap.ControlString:
			if c.Criticality {
				return result{code: gldap.ResultUnavailableCriticalExtension, diag: fmt.Sprintf("control %s is not supported", c.ControlType)}
			}
		}
	}

	key := pageKey(sess, m)
	if paging != nil && len(paging.Cookie) > 0 {
		if items := s.pages.get(key); items != nil {
			return s.pageFromCache(ctx, key, items, m, paging)
		}
	}
	var matched []*entry
	found := false
	for _, v := range views {
		vb, err := ldapv3.ParseDN(v.BaseDN)
		if err != nil {
			continue
		}
		if !vb.EqualFold(base) && !vb.AncestorOfFold(base) && !base.AncestorOfFold(vb) {
			continue
		}
		found = true
		es, err := s.viewEntries(ctx, v, base, int(m.Scope), f)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return result{code: gldap.ResultTimeLimitExceeded, diag: "the search ran out of time"}
			}
			return result{code: gldap.ResultOther, diag: "the store could not be read"}
		}
		matched = append(matched, es...)
	}
	if !found {
		if s.baseInOtherView(ctx, base, views) {
			return result{code: gldap.ResultInsufficientAccessRights, diag: "this account may not read " + m.BaseDN}
		}
		return result{code: gldap.ResultNoSuchObject, diag: fmt.Sprintf("%q is not in any view", m.BaseDN)}
	}
	if ctx.Err() != nil {
		return result{code: gldap.ResultTimeLimitExceeded, diag: "the search ran out of time"}
	}
	res := s.page(matched, m, paging)
	if res.paging != nil && len(res.paging.Cookie) > 0 {
		s.pages.put(key, snapshot(matched))
	} else if res.paging != nil {
		s.pages.drop(key)
	}
	return res
}

// one answers a base search of a single entry.
func one(e *entry, f filter) result {
	if !f.match(e) {
		return result{}
	}
	return result{entries: []*entry{e}}
}

// window works out which part of n matching entries a request gets. It
// applies size limits and the Simple Paged Results control. Without
// paging, a search returns at most the smaller of the server's cap and the
// client's size limit, then sizeLimitExceeded (RFC 4511 section 4.5.1.1).
// With paging, each page is capped likewise, and the cookie is the
// position in the result, tied to the request so that it cannot be reused
// for another search; it stays valid across connections. When ok is false,
// res is the whole answer.
func (s *Server) window(n int, m *gldap.SearchMessage, paging *gldap.ControlPaging) (start, end int, res result, ok bool) {
	if paging == nil {
		limit := s.cfg.MaxEntries
		if m.SizeLimit > 0 && int(m.SizeLimit) < limit {
			limit = int(m.SizeLimit)
		}
		if n > limit {
			return 0, limit, result{code: gldap.ResultSizeLimitExceeded,
				diag: fmt.Sprintf("%d entries match; at most %d are returned (use paged results)", n, limit)}, true
		}
		return 0, n, result{}, true
	}
	tag := requestTag(m)
	if len(paging.Cookie) > 0 {
		pos, t, ok := strings.Cut(string(paging.Cookie), ":")
		p, err := strconv.Atoi(pos)
		if !ok || err != nil || t != tag || p < 0 || p > n {
			return 0, 0, result{code: gldap.ResultUnwillingToPerform, diag: "the paged results cookie is not valid for this search", paging: &gldap.ControlPaging{}}, false
		}
		start = p
	}
	if paging.PagingSize == 0 {
		// A page size of zero abandons the paged search (RFC 2696).
		return 0, 0, result{paging: &gldap.ControlPaging{}}, false
	}
	size := min(int(paging.PagingSize), s.cfg.MaxEntries)
	end = min(start+size, n)
	res = result{paging: &gldap.ControlPaging{}}
	if m.SizeLimit > 0 && end > int(m.SizeLimit) {
		res.code = gldap.ResultSizeLimitExceeded
		return start, start + max(int(m.SizeLimit)-start, 0), res, true
	}
	if end < n {
		res.paging.Cookie = []byte(strconv.Itoa(end) + ":" + tag)
	}
	return start, end, res, true
}

// page answers a search from all its matching entries.
func (s *Server) page(all []*entry, m *gldap.SearchMessage, paging *gldap.ControlPaging) result {
	start, end, res, ok := s.window(len(all), m, paging)
	if ok {
		res.entries = all[start:end]
	}
	return res
}

// requestTag summarises what a cookie belongs to.
func requestTag(m *gldap.SearchMessage) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s", strings.ToLower(m.BaseDN), m.Scope, m.Filter, strings.Join(m.Attributes, ","))
	return strconv.FormatUint(h.Sum64(), 36)
}

// operational attributes are returned only when asked for, by name or "+".
func selectAttributes(e *entry, requested []string) []attribute {
	all, ops, none := len(requested) == 0, false, false
	want := map[string]bool{}
	for _, a := range requested {
		switch a {
		case "*":
			all = true
		case "+":
			ops = true
		case "1.1":
			none = true
		default:
			want[canonical(a)] = true
		}
	}
	if none && !all && !ops && len(want) == 0 {
		return nil
	}
	var out []attribute
	for _, a := range e.attrs {
		n := canonical(a.name)
		if want[n] || (a.operational && ops) || (!a.operational && all) {
			out = append(out, a)
		}
	}
	return out
}

// aliases maps the other names of served attributes to the served name.
var aliases = map[string]string{
	"commonname": "cn", "surname": "sn", "userid": "uid", "rfc822mailbox": "mail",
	"streetaddress": "street", "mobiletelephonenumber": "mobile", "localityname": "l",
	"organizationname": "o", "organizationalunitname": "ou",
}

func canonical(name string) string {
	n := strings.ToLower(name)
	if a, ok := aliases[n]; ok {
		return a
	}
	return n
}
