package graph

import (
	mrand "math/rand/v2"
	"time"
)

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
