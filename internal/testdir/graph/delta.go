package graph

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type kind uint8

const (
	kindUsers kind = iota
	kindGroups
)

func (k kind) String() string {
	if k == kindGroups {
		return "groups"
	}
	return "users"
}

// deltaState is what a delta token stands for: the query of the round that
// minted it (delta-query-overview.md: state tokens encode the query
// parameters of the initial request, so later requests need not repeat
// them) and the version of the tenant it covers.
type deltaState struct {
	kind      kind
	since     uint64
	sel       []string // nil: the default properties
	ctxSel    []string // $select as given, for @odata.context
	relation  bool     // manager@delta for users, members@delta for groups
	filterIDs []string
	minted    time.Time
	gen       uint64 // reset generation it was minted in
}

func randToken() string {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ExpireDeltaTokens makes every delta and skip token issued so far unknown,
// as when they outlive their seven days: the next request with one gets
// 410 Gone with syncStateNotFound.
func (s *Server) ExpireDeltaTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.expiredBefore = time.Now()
}

// expiredLocked reports whether a token minted at t has expired.
func (s *Server) expiredLocked(t time.Time) bool {
	return time.Since(t) > s.opts.DeltaTokenLifetime || !t.After(s.faults.expiredBefore)
}

// ResetSync makes every delta and skip token issued so far answer 410 Gone
// with resyncRequired and a Location header to start again, as Graph does
// after maintenance of the tenant (delta-query-overview.md, synchronization
// reset).
func (s *Server) ResetSync() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.resetGen++
}

// handleDelta serves /users/delta and /groups/delta.
func (s *Server) handleDelta(w http.ResponseWriter, r *http.Request, k kind) {
	q := r.URL.Query()
	for name := range q {
		switch name {
		case "$select", "$filter", "$expand", "$deltatoken", "$deltaToken", "$skiptoken", "$skipToken":
		case "$top", "$orderby", "$search", "$count":
			// delta-query-overview.md: on users and groups $top and
			// $orderby are not supported.
			badQuery(w, r, name+" is not supported on the delta function of "+k.String()+".")
			return
		default:
			if strings.HasPrefix(name, "$") {
				badQuery(w, r, "Query option '"+name+"' is not supported on delta.")
				return
			}
		}
	}
	skip := firstOf(q, "$skiptoken", "$skipToken")
	delta, hasDelta := q["$deltatoken"]
	if !hasDelta {
		delta, hasDelta = q["$deltaToken"]
	}
	if skip != "" {
		// delta-query-overview.md: delta queries with both $select and
		// $skipToken are not supported.
		if q.Has("$select") || q.Has("$filter") || q.Has("$expand") {
			badQuery(w, r, "Query parameters cannot be combined with $skiptoken; follow the @odata.nextLink as it is.")
			return
		}
		id, pageStr, ok := strings.Cut(skip, ".")
		page, err := strconv.Atoi(pageStr)
		s.mu.Lock()
		rd := s.rounds[id]
		reset := rd != nil && rd.state.gen < s.faults.resetGen
		expired := rd != nil && s.expiredLocked(rd.created)
		s.mu.Unlock()
		if !ok || err != nil || rd == nil || rd.state.kind != k || page < 0 || page >= len(rd.pages) {
			s.gone(w, r, k, deltaState{kind: k}, false)
			return
		}
		if expired {
			s.gone(w, r, k, rd.state, false)
			return
		}
		if reset {
			s.gone(w, r, k, rd.state, true)
			return
		}
		s.servePage(w, r, id, rd, page)
		return
	}

	// Without $select a group's members@delta is included
	// (group-delta.md example 1) but a user's manager is not
	// (user-delta.md example 1): the manager is tracked only when
	// selected or expanded.
	st := deltaState{kind: k, relation: k == kindGroups}
	res := resUsers
	if k == kindGroups {
		res = resGroups
	}
	sel, err := parseSelect(q.Get("$select"))
	if err == nil && sel != nil {
		sel, err = canonicalSelect(sel, res)
	}
	if err != nil {
		writeGraphError(w, r, http.StatusBadRequest, "Request_BadRequest", err.Error())
		return
	} else if sel != nil {
		st.sel, st.relation = selectWithoutRelations(sel, k)
		st.ctxSel = sel
	}
	if ex := q.Get("$expand"); ex != "" {
		// delta-query-groups.md: $expand=members tracks membership;
		// the users' delta tracks the manager the same way.
		want := "members"
		if k == kindUsers {
			want = "manager"
		}
		if ex != want {
			badQuery(w, r, "$expand="+ex+" is not supported on the delta function of "+k.String()+"; only "+want+" is.")
			return
		}
		st.relation = true
	}
	if fv := q.Get("$filter"); fv != "" {
		f, err := parseFilter(fv)
		if err == nil {
			st.filterIDs, err = f.deltaIDs()
		}
		if err != nil {
			badQuery(w, r, "Invalid $filter for delta: "+err.Error())
			return
		}
	}
	initial := true
	if hasDelta && delta[0] != "" {
		tok := delta[0]
		s.mu.Lock()
		prev, ok := s.tokens[tok]
		expired := ok && s.expiredLocked(prev.minted)
		resetGen := s.faults.resetGen
		cur := s.version
		s.mu.Unlock()
		if tok == "latest" {
			// delta-query-overview.md: $deltatoken=latest answers only a
			// deltaLink, to track changes from now on.
			st.since = cur
			st.minted = time.Now()
			link := s.mintDeltaLink(k, st, cur)
			var empty bytes.Buffer
			writePage(w, contextURL(s.baseURL(), k.String(), st.ctxSel), map[string]string{"@odata.deltaLink": link}, &empty, nil)
			return
		}
		if !ok || prev.kind != k {
			s.gone(w, r, k, st, false)
			return
		}
		if expired {
			s.gone(w, r, k, *prev, false)
			return
		}
		if prev.gen < resetGen {
			s.gone(w, r, k, *prev, true)
			return
		}
		// delta-query-overview.md: $select may be given with a deltaLink
		// to change the properties tracked.
		if !q.Has("$select") {
			st.sel, st.relation, st.ctxSel = prev.sel, prev.relation, prev.ctxSel
		}
		if q.Has("$expand") {
			st.relation = true
		}
		if !q.Has("$filter") {
			st.filterIDs = prev.filterIDs
		}
		st.since = prev.since
		initial = false
	}
	pageSize := s.opts.PageSize
	if n := maxPageSize(r); n > 0 {
		pageSize = min(n, 999)
	}
	s.mu.Lock()
	st.gen = s.faults.resetGen
	rd := s.newRoundLocked(st, initial, pageSize)
	id := randToken()
	s.rounds[id] = rd
	s.roundOrder = append(s.roundOrder, id)
	s.roundUnits += rd.units()
	for len(s.roundOrder) > 1 && (len(s.roundOrder) > maxRounds || s.roundUnits > maxRoundUnits) {
		s.roundUnits -= s.rounds[s.roundOrder[0]].units()
		delete(s.rounds, s.roundOrder[0])
		s.roundOrder = s.roundOrder[1:]
	}
	s.mu.Unlock()
	s.servePage(w, r, id, rd, 0)
}

func firstOf(q url.Values, names ...string) string {
	for _, n := range names {
		if v := q.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// selectWithoutRelations splits the relationship (manager or members) off a
// $select list (delta-query-overview.md: $select supports manager for
// users and members for groups, to track those relationships).
func selectWithoutRelations(sel []string, k kind) ([]string, bool) {
	rel := "manager"
	if k == kindGroups {
		rel = "members"
	}
	out := make([]string, 0, len(sel))
	has := false
	for _, p := range sel {
		if p == rel {
			has = true
			continue
		}
		out = append(out, p)
	}
	return out, has
}

// gone answers 410 Gone (delta-query-overview.md: 410 with a Location
// header holding the initial query with an empty $deltatoken means start
// over with a full synchronization; an expired token gives
// syncStateNotFound, errors.md: resyncRequired when the token is no
// longer valid).
func (s *Server) gone(w http.ResponseWriter, r *http.Request, k kind, st deltaState, reset bool) {
	q := url.Values{}
	sel := st.sel
	if st.relation && sel != nil {
		rel := "manager"
		if k == kindGroups {
			rel = "members"
		}
		sel = append(append([]string(nil), sel...), rel)
	}
	if sel != nil {
		q.Set("$select", strings.Join(sel, ","))
	}
	if len(st.filterIDs) > 0 {
		q.Set("$filter", idFilter(st.filterIDs))
	}
	loc := s.baseURL() + "/v1.0/" + k.String() + "/delta?" + encodeQuery(q)
	if len(q) > 0 {
		loc += "&"
	}
	loc += "$deltatoken="
	w.Header().Set("Location", loc)
	if reset {
		writeGraphError(w, r, http.StatusGone, "resyncRequired", "The delta token is no longer valid; start again with a full synchronization.")
		return
	}
	writeGraphError(w, r, http.StatusGone, "syncStateNotFound", "The sync state generation is not found: the delta token is expired or unknown; synchronize again from the start.")
}

func idFilter(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "id eq '" + strings.ReplaceAll(id, "'", "''") + "'"
	}
	return strings.Join(parts, " or ")
}

// encodeQuery encodes OData options keeping the $ and the commas readable,
// as Graph prints them.
func encodeQuery(q url.Values) string {
	e := q.Encode()
	e = strings.ReplaceAll(e, "%24", "$")
	e = strings.ReplaceAll(e, "%2C", ",")
	return e
}

func (s *Server) mintDeltaLink(k kind, st deltaState, upTo uint64) string {
	st.since = upTo
	st.minted = time.Now()
	tok := randToken()
	s.mu.Lock()
	st.gen = s.faults.resetGen
	s.tokens[tok] = &st
	s.mu.Unlock()
	return s.baseURL() + "/v1.0/" + k.String() + "/delta?$deltatoken=" + tok
}
