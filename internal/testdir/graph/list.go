package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// listQuery is what a list request asks for: $select, $filter, $top, the
// page it is at, and $expand=manager for users.
type listQuery struct {
	sel     []string
	filter  filter
	top     int
	offset  int
	manager bool
	count   bool       // @odata.count wanted
	params  url.Values // the query without $skiptoken, repeated in nextLinks
}

// parseListQuery reads a list request's options (user-list.md and
// group-list.md: $select, $filter, $top from 1 to 999, and paging by
// @odata.nextLink carrying $skiptoken; paging.md: a client follows the
// nextLink as it is).
func (s *Server) parseListQuery(w http.ResponseWriter, r *http.Request, res resource) (listQuery, bool) {
	allowExpand := ""
	if res == resUsers {
		allowExpand = "manager"
	}
	q := r.URL.Query()
	lq := listQuery{top: s.opts.PageSize, params: url.Values{}}
	for name, vs := range q {
		switch name {
		case "$select":
			sel, err := parseSelect(vs[0])
			if err == nil {
				sel, err = canonicalSelect(sel, res)
			}
			if err != nil {
				writeGraphError(w, r, http.StatusBadRequest, "Request_BadRequest", err.Error())
				return lq, false
			}
			lq.sel = sel
		case "$filter":
			f, err := parseFilter(vs[0])
			if err == nil {
				err = f.checkList(res)
			}
			if err != nil {
				badQuery(w, r, "Invalid filter clause: "+err.Error())
				return lq, false
			}
			lq.filter = f
		case "$top":
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 1 || n > 999 {
				writeGraphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Invalid page size specified: '"+vs[0]+"'. Must be between 1 and 999 inclusive.")
				return lq, false
			}
			lq.top = n
		case "$expand":
			if allowExpand == "" || vs[0] != allowExpand {
				badQuery(w, r, "$expand="+vs[0]+" is not supported here.")
				return lq, false
			}
			lq.manager = true
		case "$skiptoken", "$skipToken":
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 0 {
				writeGraphError(w, r, http.StatusBadRequest, "Request_BadRequest", "The $skiptoken is not valid.")
				return lq, false
			}
			lq.offset = n
			continue
		case "$count":
			// aad-advanced-queries.md: ?$count=true is ignored without
			// ConsistencyLevel: eventual, and adds @odata.count with it.
			if !strings.EqualFold(vs[0], "true") && !strings.EqualFold(vs[0], "false") {
				writeGraphError(w, r, http.StatusBadRequest, "Request_BadRequest", "$count must be true or false.")
				return lq, false
			}
			lq.count = strings.EqualFold(vs[0], "true") && eventual(r)
		case "$orderby", "$search":
			badQuery(w, r, name+" needs the advanced query parameters (ConsistencyLevel: eventual), which this server does not offer.")
			return lq, false
		default:
			if strings.HasPrefix(name, "$") {
				badQuery(w, r, "Query option '"+name+"' is not supported.")
				return lq, false
			}
		}
		lq.params[name] = vs
	}
	if !q.Has("$top") {
		if n := maxPageSize(r); n > 0 {
			lq.top = min(n, 999)
		}
	}
	return lq, true
}

func (lq listQuery) nextLink(base, path string, total int) map[string]string {
	end := lq.offset + lq.top
	if end >= total {
		return nil
	}
	p := url.Values{}
	for k, v := range lq.params {
		p[k] = v
	}
	p.Set("$skiptoken", strconv.Itoa(end))
	return map[string]string{"@odata.nextLink": base + path + "?" + encodeQuery(p)}
}

func pageBounds(lq listQuery, n int) (int, int) {
	from := min(lq.offset, n)
	return from, min(from+lq.top, n)
}

// handleListUsers serves GET /users (user-list.md: users that are not
// deleted, the default properties unless $select says otherwise).
func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) {
	lq, ok := s.parseListQuery(w, r, resUsers)
	if !ok {
		return
	}
	var items bytes.Buffer
	s.mu.Lock()
	var match []*userRec
	for _, id := range s.userOrder {
		u := s.users[id]
		if u.state == alive && lq.filter.match(u.id, u.props) {
			match = append(match, u)
		}
	}
	from, to := pageBounds(lq, len(match))
	for i, u := range match[from:to] {
		if i > 0 {
			items.WriteByte(',')
		}
		s.writeUser(&items, u, lq.sel, lq.manager)
	}
	s.mu.Unlock()
	base := s.baseURL()
	writePage(w, contextURL(base, "users", lq.sel), lq.nextLink(base, "/v1.0/users", len(match)), &items, lq.countField(len(match)))
}

func (s *Server) writeUser(b *bytes.Buffer, u *userRec, sel []string, manager bool) {
	o := openObj(b)
	s.writeUserMembers(o, u, sel, manager)
	o.close()
}

// writeUserMembers writes a user's properties and, with $expand=manager,
// its manager (user-list-manager.md: the manager expanded inline).
func (s *Server) writeUserMembers(o *obj, u *userRec, sel []string, manager bool) {
	b := o.b
	writeUserProps(o, u, sel, true)
	if manager {
		if m, ok := s.users[u.manager]; ok && m.state == alive {
			o.key("manager")
			mo := openObj(b)
			mo.str("@odata.type", "#microsoft.graph.user")
			writeUserProps(mo, m, []string{"displayName", "userPrincipalName"}, true)
			mo.close()
		}
	}
}

// findUser finds a live user by id or userPrincipalName (user-get.md:
// /users/{id | userPrincipalName}).
func (s *Server) findUserLocked(key string) *userRec {
	if u, ok := s.users[key]; ok {
		if u.state == alive {
			return u
		}
		return nil
	}
	for _, id := range s.userOrder {
		u := s.users[id]
		if u.state != alive {
			continue
		}
		var upn string
		_ = json.Unmarshal(u.props["userPrincipalName"], &upn)
		if strings.EqualFold(upn, key) {
			return u
		}
	}
	return nil
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) {
	lq, ok := s.parseListQuery(w, r, resUsers)
	if !ok {
		return
	}
	key := r.PathValue("id")
	var b bytes.Buffer
	s.mu.Lock()
	u := s.findUserLocked(key)
	if u != nil {
		o := openObj(&b)
		o.str("@odata.context", contextURL(s.url, "users", lq.sel)+"/$entity")
		s.writeUserMembers(o, u, lq.sel, lq.manager)
		o.close()
	}
	s.mu.Unlock()
	if u == nil {
		notFound(w, r, key)
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// handleGetManager serves GET /users/{id}/manager (user-list-manager.md:
// the manager as a directory object, 404 when there is none).
func (s *Server) handleGetManager(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	var b bytes.Buffer
	s.mu.Lock()
	u := s.findUserLocked(key)
	var m *userRec
	if u != nil {
		m = s.users[u.manager]
		if m != nil && m.state != alive {
			m = nil
		}
	}
	if m != nil {
		o := openObj(&b)
		o.str("@odata.context", s.url+"/v1.0/$metadata#directoryObjects/$entity")
		o.str("@odata.type", "#microsoft.graph.user")
		writeUserProps(o, m, nil, true)
		o.close()
	}
	s.mu.Unlock()
	if m == nil {
		notFound(w, r, key+"/manager")
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// handleListGroups serves GET /groups (group-list.md).
func (s *Server) handleListGroups(w http.ResponseWriter, r *http.Request) {
	lq, ok := s.parseListQuery(w, r, resGroups)
	if !ok {
		return
	}
	var items bytes.Buffer
	s.mu.Lock()
	var match []*groupRec
	for _, id := range s.groupOrder {
		g := s.groups[id]
		if g.state == alive && lq.filter.match(g.id, g.props) {
			match = append(match, g)
		}
	}
	from, to := pageBounds(lq, len(match))
	for i, g := range match[from:to] {
		if i > 0 {
			items.WriteByte(',')
		}
		o := openObj(&items)
		writeGroupProps(o, g, lq.sel, true)
		o.close()
	}
	s.mu.Unlock()
	base := s.baseURL()
	writePage(w, contextURL(base, "groups", lq.sel), lq.nextLink(base, "/v1.0/groups", len(match)), &items, lq.countField(len(match)))
}

func (s *Server) handleGetGroup(w http.ResponseWriter, r *http.Request) {
	lq, ok := s.parseListQuery(w, r, resGroups)
	if !ok {
		return
	}
	id := r.PathValue("id")
	var b bytes.Buffer
	s.mu.Lock()
	g, found := s.groups[id]
	found = found && g.state == alive
	if found {
		o := openObj(&b)
		o.str("@odata.context", contextURL(s.url, "groups", lq.sel)+"/$entity")
		writeGroupProps(o, g, lq.sel, true)
		o.close()
	}
	s.mu.Unlock()
	if !found {
		notFound(w, r, id)
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// handleMembers serves /groups/{id}/members and /transitiveMembers
// (group-list-members.md: the direct members, users and groups, each with
// its @odata.type; group-list-transitivemembers.md: the members of nested
// groups too, flattened, each object once).
func (s *Server) handleMembers(w http.ResponseWriter, r *http.Request, transitive bool) {
	lq, ok := s.parseListQuery(w, r, resMembers)
	if !ok {
		return
	}
	id := r.PathValue("id")
	var items bytes.Buffer
	s.mu.Lock()
	g, found := s.groups[id]
	if !found || g.state != alive {
		s.mu.Unlock()
		notFound(w, r, id)
		return
	}
	var list []memberRec
	if transitive {
		seen := map[string]bool{id: true}
		queue := []*groupRec{g}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, m := range cur.members {
				if seen[m.id] {
					continue
				}
				seen[m.id] = true
				list = append(list, m)
				if m.isGroup {
					if ng, ok := s.groups[m.id]; ok && ng.state == alive {
						queue = append(queue, ng)
					}
				}
			}
		}
	} else {
		list = g.members
	}
	var match []memberRec
	for _, m := range list {
		if m.isGroup {
			if ng := s.groups[m.id]; ng != nil && lq.filter.match(ng.id, ng.props) {
				match = append(match, m)
			}
		} else if u := s.users[m.id]; u != nil && lq.filter.match(u.id, u.props) {
			match = append(match, m)
		}
	}
	from, to := pageBounds(lq, len(match))
	for i, m := range match[from:to] {
		if i > 0 {
			items.WriteByte(',')
		}
		o := openObj(&items)
		o.str("@odata.type", odataType(m.isGroup))
		if m.isGroup {
			writeGroupProps(o, s.groups[m.id], lq.sel, true)
		} else {
			writeUserProps(o, s.users[m.id], lq.sel, true)
		}
		o.close()
	}
	s.mu.Unlock()
	base := s.baseURL()
	seg := "members"
	if transitive {
		seg = "transitiveMembers"
	}
	writePage(w, base+"/v1.0/$metadata#directoryObjects", lq.nextLink(base, "/v1.0/groups/"+id+"/"+seg, len(match)), &items, nil)
}

func eventual(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual")
}

func (lq listQuery) countField(n int) func(*obj) {
	if !lq.count {
		return nil
	}
	return func(o *obj) { o.raw("@odata.count", []byte(strconv.Itoa(n))) }
}

// handleCount serves /users/$count and /groups/$count
// (aad-advanced-queries.md: the $count segment needs ConsistencyLevel:
// eventual, else 400 Request_BadRequest; the answer is the number as
// text/plain). $filter applies.
func (s *Server) handleCount(w http.ResponseWriter, r *http.Request, k kind) {
	if !eventual(r) {
		writeGraphError(w, r, http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
		return
	}
	res := resUsers
	if k == kindGroups {
		res = resGroups
	}
	lq, ok := s.parseListQuery(w, r, res)
	if !ok {
		return
	}
	n := 0
	s.mu.Lock()
	if k == kindUsers {
		for _, id := range s.userOrder {
			if u := s.users[id]; u.state == alive && lq.filter.match(u.id, u.props) {
				n++
			}
		}
	} else {
		for _, id := range s.groupOrder {
			if g := s.groups[id]; g.state == alive && lq.filter.match(g.id, g.props) {
				n++
			}
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(strconv.Itoa(n)))
}
