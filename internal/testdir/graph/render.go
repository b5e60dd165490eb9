package graph

import (
	"bytes"
	"net/http"
	"strings"
)

// obj writes one JSON object member by member, so that a page of users is
// written without building maps.
type obj struct {
	b     *bytes.Buffer
	first bool
}

func openObj(b *bytes.Buffer) *obj {
	b.WriteByte('{')
	return &obj{b: b, first: true}
}

func (o *obj) key(k string) {
	if !o.first {
		o.b.WriteByte(',')
	}
	o.first = false
	writeJSONString(o.b, k)
	o.b.WriteByte(':')
}

func (o *obj) raw(k string, v []byte) {
	o.key(k)
	o.b.Write(v)
}

func (o *obj) str(k, v string) {
	o.key(k)
	writeJSONString(o.b, v)
}

func (o *obj) close() { o.b.WriteByte('}') }

// removedJSON is the @removed annotation (delta-query-overview.md: a
// removed instance carries its id and @removed with a reason, "changed"
// when it can still be restored from deleted items, "deleted" when not).
func removedJSON(st lifecycle) []byte {
	if st == softDeleted {
		return []byte(`{"reason":"changed"}`)
	}
	return []byte(`{"reason":"deleted"}`)
}

func odataType(isGroup bool) string {
	if isGroup {
		return "#microsoft.graph.group"
	}
	return "#microsoft.graph.user"
}

// contextURL is @odata.context; with $select it lists the selected
// properties (delta-query-users.md initial response:
// $metadata#users(displayName,givenName,surname)).
func contextURL(base, set string, sel []string) string {
	u := base + "/v1.0/$metadata#" + set
	if len(sel) > 0 {
		u += "(" + strings.Join(sel, ",") + ")"
	}
	return u
}

// writePage writes a collection answer: @odata.context, then the next or
// delta link, then value, as Graph's examples order them.
func writePage(w http.ResponseWriter, context string, links map[string]string, items *bytes.Buffer, extra func(*obj)) {
	var b bytes.Buffer
	o := openObj(&b)
	o.str("@odata.context", context)
	for _, k := range []string{"@odata.nextLink", "@odata.deltaLink"} {
		if v, ok := links[k]; ok {
			o.str(k, v)
		}
	}
	if extra != nil {
		extra(o)
	}
	o.key("value")
	b.WriteByte('[')
	b.Write(items.Bytes())
	b.WriteByte(']')
	o.close()
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// writeUserProps writes the selected properties of a user as a list or a
// get answers them: unset properties as null (user-list.md examples print
// null for a selected property without a value).
func writeUserProps(o *obj, u *userRec, sel []string, nulls bool) {
	if sel == nil {
		sel = defaultUserSelect
	}
	for _, p := range sel {
		if p == "id" || p == "manager" {
			continue
		}
		if v, ok := u.props[p]; ok {
			o.raw(p, v)
		} else if nulls {
			o.raw(p, []byte("null"))
		}
	}
	o.str("id", u.id)
}

func writeGroupProps(o *obj, g *groupRec, sel []string, nulls bool) {
	if sel == nil {
		sel = defaultGroupSelect
	}
	for _, p := range sel {
		if p == "id" || p == "members" {
			continue
		}
		if v, ok := g.props[p]; ok {
			o.raw(p, v)
		} else if nulls {
			o.raw(p, []byte("null"))
		}
	}
	o.str("id", g.id)
}
