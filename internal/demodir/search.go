package demodir

import (
	"strconv"
	"strings"
	"time"

	"github.com/jimlambrt/gldap"
)

// Active Directory's search diagnostics.
const (
	diagNeedBind  = "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563"
	diagNoObject  = "0000208D: NameErr: DSID-0310028C, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'%s'\n"
	diagBadCookie = "00002040: SvcErr: DSID-02130A9B, problem 5003 (WILL_NOT_PERFORM), data 0: the paged results cookie is not valid"
)

// searchResult is what one search request sends back.
type searchResult struct {
	entries []*entry
	code    int
	diag    string
	matched string
	paging  *gldap.ControlPaging // nil when the request did not ask for paging
}

// handleSearch serves the root DSE to anyone and every other search to a
// bound connection: base, one-level and subtree scope, a real filter,
// attribute selection and RFC 2696 paged results.
func (s *Server) handleSearch(w *gldap.ResponseWriter, r *gldap.Request) {
	m, err := r.GetSearchMessage()
	if err != nil {
		done := r.NewSearchDoneResponse(gldap.WithResponseCode(gldap.ResultProtocolError))
		_ = w.Write(done)
		return
	}
	res := s.search(r.ConnectionID(), m)
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
	done.SetMatchedDN(res.matched)
	if res.paging != nil {
		done.SetControls(res.paging)
	}
	_ = w.Write(done)
}

// search works out the result of one search request.
func (s *Server) search(connID int, m *gldap.SearchMessage) searchResult {
	bound := s.boundDN(connID) != ""
	f, err := compileFilter(m.Filter)
	if err != nil {
		return searchResult{code: gldap.ResultProtocolError, diag: err.Error()}
	}
	if m.BaseDN == "" && m.Scope == gldap.BaseObject {
		root := s.rootDSE()
		if !f.match(root) {
			return searchResult{}
		}
		return searchResult{entries: []*entry{root}}
	}
	if !bound {
		return searchResult{code: gldap.ResultOperationsError, diag: diagNeedBind}
	}
	base := normalizeDN(m.BaseDN)
	if m.BaseDN == "" {
		base = nil
	} else if s.store.lookup(m.BaseDN) == nil {
		best := s.bestMatch(base)
		return searchResult{code: gldap.ResultNoSuchObject, matched: best, diag: strings.Replace(diagNoObject, "%s", best, 1)}
	}

	var paging *gldap.ControlPaging
	showDeleted := false
	for _, c := range m.Controls {
		if p, ok := c.(*gldap.ControlPaging); ok {
			paging = p
		}
		showDeleted = showDeleted || c.GetControlType() == showDeletedOID
	}
	after, limit := -1, int(m.SizeLimit)
	if paging != nil {
		if len(paging.Cookie) > 0 {
			n, err := strconv.Atoi(string(paging.Cookie))
			if err != nil || n < 0 {
				return searchResult{code: gldap.ResultUnwillingToPerform, diag: diagBadCookie}
			}
			after = n
		}
		if paging.PagingSize == 0 { // the client abandons the paged search
			return searchResult{paging: &gldap.ControlPaging{}}
		}
		limit = int(paging.PagingSize)
	}
	entries, more := s.store.scan(base, int(m.Scope), f, after, limit, showDeleted)
	res := searchResult{entries: entries}
	switch {
	case paging != nil:
		res.paging = &gldap.ControlPaging{}
		if more {
			res.paging.Cookie = []byte(strconv.Itoa(entries[len(entries)-1].seq))
		}
	case more:
		res.code = gldap.ResultSizeLimitExceeded
	}
	return res
}

// bestMatch returns the DN of the deepest existing ancestor of a missing base.
func (s *Server) bestMatch(rdns []string) string {
	for i := 1; i < len(rdns); i++ {
		if e := s.store.lookup(strings.Join(rdns[i:], ",")); e != nil {
			return e.dn
		}
	}
	return ""
}

// scan returns copies of the entries in scope that match, in directory
// order, starting after sequence number after and stopping at limit (0 is
// unlimited); more reports whether further matches exist.
func (st *store) scan(base []string, scope int, f filter, after, limit int, showDeleted bool) (out []*entry, more bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, e := range st.entries {
		if e.seq <= after || (e.deleted && !showDeleted) || !e.inScope(base, scope) || !f.match(e) {
			continue
		}
		if limit > 0 && len(out) == limit {
			return out, true
		}
		out = append(out, e.clone())
	}
	return out, false
}

// selectAttributes applies the requested attribute list: none or "*" means
// all, "1.1" alone means none, other names match case-insensitively.
func selectAttributes(e *entry, requested []string) []attribute {
	all, names := len(requested) == 0, map[string]bool{}
	for _, r := range requested {
		switch r {
		case "*":
			all = true
		case "1.1":
		default:
			names[strings.ToLower(r)] = true
		}
	}
	if all {
		return e.attrs
	}
	var out []attribute
	for _, a := range e.attrs {
		if names[strings.ToLower(a.name)] {
			out = append(out, a)
		}
	}
	return out
}

// showDeletedOID is Active Directory's Show Deleted control: a search
// carrying it also returns tombstones.
const showDeletedOID = "1.2.840.113556.1.4.417"

// rootDSE builds the root DSE of a Windows Server 2016 forest functional
// level domain controller, which is what usersync's flavor check looks for.
func (s *Server) rootDSE() *entry {
	conf := "CN=Configuration," + BaseDN
	return &entry{attrs: attrs(
		"objectClass", "top",
		"currentTime", time.Now().UTC().Format(whenChangedLayout),
		"dsServiceName", NTDSSettingsDN,
		"namingContexts", []string{BaseDN, conf, "CN=Schema," + conf},
		"defaultNamingContext", BaseDN,
		"rootDomainNamingContext", BaseDN,
		"configurationNamingContext", conf,
		"schemaNamingContext", "CN=Schema,"+conf,
		"supportedControl", []string{"1.2.840.113556.1.4.319", showDeletedOID}, // paged results and show deleted, the only controls honoured
		"supportedLDAPVersion", []string{"3", "2"},
		"supportedSASLMechanisms", []string{},
		"supportedCapabilities", []string{
			"1.2.840.113556.1.4.800",  // Active Directory
			"1.2.840.113556.1.4.1670", // AD V51
			"1.2.840.113556.1.4.1791", // LDAP integration
		},
		"highestCommittedUSN", strconv.FormatInt(s.store.highestUSN(), 10),
		"dnsHostName", "dc1."+Domain,
		"ldapServiceName", Domain+":dc1$@"+strings.ToUpper(Domain),
		"serverName", "CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,"+conf,
		"isSynchronized", "TRUE",
		"isGlobalCatalogReady", "TRUE",
		"domainFunctionality", "7",
		"forestFunctionality", "7",
		"domainControllerFunctionality", "7",
		"vendorName", "usersync demo directory",
	)}
}
