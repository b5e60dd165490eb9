package graph

import (
	"bytes"
	"net/http"
	"strconv"
)

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
		if c == '"' || c == '\\' {
			dst = append(dst, '\\', c)
			continue
		}
		if c < 0x20 {
			dst = append(dst, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}
