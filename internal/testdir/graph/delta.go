package graph

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	mrand "math/rand/v2"
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

// round is one round of delta requests: the pages decided when it started,
// served one per nextLink.
type round struct {
	state   deltaState
	initial bool
	upTo    uint64 // the version the round's deltaLink covers
	pages   [][]unit
	created time.Time
}

// unit is one object in a page: a user or a group, with the slice of a
// group's members@delta that goes into this page.
type unit struct {
	id      string
	members []memberDelta
}

type memberDelta struct {
	id      string
	isGroup bool
	removed bool
}

// maxRounds bounds the rounds kept for their nextLinks; a round evicted
// answers 410 like an expired token.
const maxRounds = 256

// maxRoundUnits bounds the objects the kept rounds hold together, so that
// a benchmark reading a hundred thousand users again and again keeps only
// its last few full rounds.
const maxRoundUnits = 1_000_000

func (rd *round) units() int {
	n := 0
	for _, p := range rd.pages {
		n += len(p)
	}
	return n
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

// Quirks are documented behaviours of delta that Graph shows only now and
// then, which a test can ask for so that a client is tested against them.
type Quirks struct {
	// Replays makes every deltaLink of an incremental round cover only
	// what the round started from, so that the next round returns the
	// same changes again, plus new ones (delta-query-overview.md,
	// replays: the same change may appear in later responses).
	Replays bool
	// Duplicates returns each changed user twice in an incremental round
	// (delta-query-overview.md: an entity may be in a response several
	// times).
	Duplicates bool
	// RemovedInInitial puts deleted users and groups, with @removed, in
	// the initial round too (delta-query-overview.md: @removed may come in
	// the initial response).
	RemovedInInitial bool
	// Shuffle serves a round's objects in random order, the parts of a
	// large group's members among other groups (delta-query-groups.md:
	// assume no order; the same group may show up anywhere in the
	// nextLink sequence).
	Shuffle bool
}

// SetQuirks turns quirks on or off for the rounds that start after.
func (s *Server) SetQuirks(q Quirks) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quirks = q
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
	if sel, err := parseSelect(q.Get("$select")); err != nil {
		badQuery(w, r, err.Error())
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

// newRoundLocked decides which objects a round reports and splits them
// into pages.
func (s *Server) newRoundLocked(st deltaState, initial bool, pageSize int) *round {
	rd := &round{state: st, initial: initial, upTo: s.version, created: time.Now()}
	var only map[string]bool
	if len(st.filterIDs) > 0 {
		only = map[string]bool{}
		for _, id := range st.filterIDs {
			only[id] = true
		}
	}
	var units []unit
	if st.kind == kindUsers {
		for _, id := range s.userOrder {
			if only != nil && !only[id] {
				continue
			}
			u := s.users[id]
			if s.userChanged(u, st, initial) {
				units = append(units, unit{id: id})
				if s.quirks.Duplicates && !initial {
					units = append(units, unit{id: id})
				}
			}
		}
	} else {
		for _, id := range s.groupOrder {
			if only != nil && !only[id] {
				continue
			}
			g := s.groups[id]
			if !s.groupChanged(g, st, initial) {
				continue
			}
			units = append(units, s.groupUnits(g, st, initial)...)
		}
	}
	if s.quirks.Shuffle {
		mrand.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
	}
	per := s.opts.MembersPerPage
	page := []unit{}
	members := 0
	for _, u := range units {
		if len(page) > 0 && (len(page)+1 > pageSize || members+len(u.members) > per) {
			rd.pages = append(rd.pages, page)
			page, members = []unit{}, 0
		}
		page = append(page, u)
		members += len(u.members)
	}
	rd.pages = append(rd.pages, page)
	return rd
}

// tracked reports whether a property is tracked by the query: every
// property without $select, else only the selected ones
// (delta-query-users.md: only the properties in $select are tracked).
func tracked(st deltaState, p string) bool {
	if st.sel == nil {
		return true
	}
	for _, s := range st.sel {
		if s == p {
			return true
		}
	}
	return false
}

func (s *Server) userChanged(u *userRec, st deltaState, initial bool) bool {
	if initial {
		// delta-query-overview.md: the initial request returns the
		// objects that exist; ones created and deleted before it are not
		// returned, though @removed objects may come in an initial
		// response too (delta-query-users.md's example has one).
		return u.state == alive || s.quirks.RemovedInInitial && u.state == softDeleted
	}
	if u.stateVer > st.since {
		return true
	}
	if u.state != alive || u.ver <= st.since {
		return false
	}
	for p, v := range u.propVer {
		if v > st.since && tracked(st, p) {
			return true
		}
	}
	return st.relation && u.mgrVer > st.since
}

func (s *Server) groupChanged(g *groupRec, st deltaState, initial bool) bool {
	if initial {
		return g.state == alive || s.quirks.RemovedInInitial && g.state == softDeleted
	}
	if g.stateVer > st.since {
		return true
	}
	if g.state != alive || g.ver <= st.since {
		return false
	}
	for p, v := range g.propVer {
		if v > st.since && tracked(st, p) {
			return true
		}
	}
	if !st.relation {
		return false
	}
	for _, v := range g.memberAt {
		if v > st.since {
			return true
		}
	}
	for _, m := range g.removed {
		if m.ver > st.since {
			return true
		}
	}
	return false
}

// groupUnits splits a group's members@delta over as many units as needed
// (delta-query-groups.md, paging through members in a large group: the
// same group comes back on several pages, each with another part of its
// members).
func (s *Server) groupUnits(g *groupRec, st deltaState, initial bool) []unit {
	if g.state != alive || !st.relation {
		return []unit{{id: g.id}}
	}
	var ds []memberDelta
	fresh := initial || g.stateVer > st.since
	for _, m := range g.members {
		if fresh || g.memberAt[m.id] > st.since {
			ds = append(ds, memberDelta{id: m.id, isGroup: m.isGroup})
		}
	}
	if !fresh {
		for id, m := range g.removed {
			if m.ver > st.since {
				ds = append(ds, memberDelta{id: id, isGroup: m.isGroup, removed: true})
			}
		}
	}
	if len(ds) == 0 {
		return []unit{{id: g.id}}
	}
	per := s.opts.MembersPerPage
	var out []unit
	for len(ds) > 0 {
		n := min(per, len(ds))
		out = append(out, unit{id: g.id, members: ds[:n:n]})
		ds = ds[n:]
	}
	return out
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request, id string, rd *round, page int) {
	if f, ok := s.takePageFault(rd.state.kind.String(), page+1); ok {
		writeFault(w, r, f)
		return
	}
	minimal := preferMinimal(r)
	var items bytes.Buffer
	s.mu.Lock()
	for i, u := range rd.pages[page] {
		if i > 0 {
			items.WriteByte(',')
		}
		if rd.state.kind == kindUsers {
			s.writeDeltaUser(&items, s.users[u.id], rd, minimal)
		} else {
			s.writeDeltaGroup(&items, s.groups[u.id], u, rd, minimal)
		}
	}
	s.mu.Unlock()
	links := map[string]string{}
	base := s.baseURL()
	if page+1 < len(rd.pages) {
		links["@odata.nextLink"] = base + "/v1.0/" + rd.state.kind.String() + "/delta?$skiptoken=" + id + "." + strconv.Itoa(page+1)
	} else {
		upTo := rd.upTo
		s.mu.Lock()
		if s.quirks.Replays && !rd.initial {
			upTo = rd.state.since
		}
		s.mu.Unlock()
		links["@odata.deltaLink"] = s.mintDeltaLink(rd.state.kind, rd.state, upTo)
	}
	writePage(w, contextURL(base, rd.state.kind.String(), rd.state.ctxSel), links, &items, nil)
}

// writeDeltaUser writes a user of a delta page (user-delta.md: by default
// the selected properties that have a value, changed or not, plus those
// changed to null; with Prefer: return=minimal only the changed ones;
// a property never set is left out; id is always there).
func (s *Server) writeDeltaUser(b *bytes.Buffer, u *userRec, rd *round, minimal bool) {
	o := openObj(b)
	st := rd.state
	if u.state != alive {
		o.str("id", u.id)
		o.raw("@removed", removedJSON(u.state))
		o.close()
		return
	}
	fresh := rd.initial || u.stateVer > st.since
	sel := st.sel
	if sel == nil {
		sel = defaultUserSelect
	}
	for _, p := range sel {
		v, set := u.props[p]
		changed := u.propVer[p] > st.since
		switch {
		case fresh && set:
			o.raw(p, v)
		case fresh:
		case minimal && !changed:
		case set:
			o.raw(p, v)
		case changed:
			o.raw(p, []byte("null"))
		}
	}
	o.str("id", u.id)
	if st.relation {
		// The manager is a relationship, reported as manager@delta
		// (delta-query-overview.md: relationships appear as
		// propertyName@delta annotations, in the initial response too).
		switch {
		case u.manager != "" && (fresh || u.mgrVer > st.since):
			o.key("manager@delta")
			b.WriteString(`[{"@odata.type":"#microsoft.graph.user","id":`)
			writeJSONString(b, u.manager)
			b.WriteString(`}]`)
		case u.manager == "" && !fresh && u.mgrVer > st.since && u.prevMgr != "":
			o.key("manager@delta")
			b.WriteString(`[{"@odata.type":"#microsoft.graph.user","id":`)
			writeJSONString(b, u.prevMgr)
			b.WriteString(`,"@removed":{"reason":"deleted"}}]`)
		}
	}
	o.close()
}

// writeDeltaGroup writes a group of a delta page with its part of
// members@delta (delta-query-groups.md: each entry has @odata.type and id;
// a removed member carries @removed; a group without member changes has no
// members@delta).
func (s *Server) writeDeltaGroup(b *bytes.Buffer, g *groupRec, u unit, rd *round, minimal bool) {
	o := openObj(b)
	st := rd.state
	if g.state != alive {
		o.str("id", g.id)
		o.raw("@removed", removedJSON(g.state))
		o.close()
		return
	}
	fresh := rd.initial || g.stateVer > st.since
	sel := st.sel
	if sel == nil {
		sel = defaultGroupSelect
	}
	for _, p := range sel {
		v, set := g.props[p]
		changed := g.propVer[p] > st.since
		switch {
		case fresh && set:
			o.raw(p, v)
		case fresh:
		case minimal && !changed:
		case set:
			o.raw(p, v)
		case changed:
			o.raw(p, []byte("null"))
		}
	}
	o.str("id", g.id)
	if len(u.members) > 0 {
		o.key("members@delta")
		b.WriteByte('[')
		for i, m := range u.members {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"@odata.type":"`)
			b.WriteString(odataType(m.isGroup))
			b.WriteString(`","id":`)
			writeJSONString(b, m.id)
			if m.removed {
				b.WriteString(`,"@removed":{"reason":"deleted"}`)
			}
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	o.close()
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.Write(appendJSONString(b.AvailableBuffer(), s))
}

// appendJSONString appends s as a JSON string; control characters, quotes
// and backslashes are escaped, everything else (UTF-8 included) is copied.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			dst = append(dst, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}
