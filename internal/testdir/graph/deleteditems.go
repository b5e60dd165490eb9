package graph

import (
	"bytes"
	"net/http"
)

// handleDeletedUsers serves GET /directory/deletedItems/microsoft.graph.user.
// directory-deleteditems-list.md: it lists recently deleted users (deleted
// items stay restorable for 30 days, directory.md), the OData cast is a
// required part of the path, application callers need User.Read.All for
// users, $select and $top work as on the users themselves, and a page holds
// 100 objects unless $top asks for up to 999. Only soft-deleted users are
// listed: a permanently deleted user is gone from deleted items too.
func (s *Server) handleDeletedUsers(w http.ResponseWriter, r *http.Request) {
	lq, ok := s.parseListQuery(w, r, resUsers)
	if !ok {
		return
	}
	if !r.URL.Query().Has("$top") && maxPageSize(r) == 0 {
		lq.top = 100
	}
	var items bytes.Buffer
	s.mu.Lock()
	var match []*userRec
	for _, id := range s.userOrder {
		u := s.users[id]
		if u.state == softDeleted && lq.filter.match(u.id, u.props) {
			match = append(match, u)
		}
	}
	from, to := pageBounds(lq, len(match))
	for i, u := range match[from:to] {
		if i > 0 {
			items.WriteByte(',')
		}
		s.writeUser(&items, u, lq.sel, false)
	}
	s.mu.Unlock()
	base := s.baseURL()
	writePage(w, contextURL(base, "users", lq.sel), lq.nextLink(base, r.URL.Path, len(match)), &items, lq.countField(len(match)))
}
