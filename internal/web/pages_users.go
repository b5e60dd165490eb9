package web

import (
	"net/http"
	"net/url"

	"github.com/usersync/usersync/internal/store"
)

const usersPerPage = 25

func urlQuery(s string) string { return url.QueryEscape(s) }

// usersPage lists users with search and paging, and explains one user
// when asked (?explain=WHO).
func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	pageNo, err := intParam(r, "page", 1, 1<<20)
	if err != nil {
		return err
	}
	pageNo = max(pageNo, 1)
	q := r.URL.Query().Get("q")
	conn, status := r.URL.Query().Get("connection"), r.URL.Query().Get("status")
	sort, err := userSort(r)
	if err != nil {
		return err
	}
	p, err := s.listUsers(r, store.UserQuery{Search: q, Connection: conn, Status: status, Sort: sort, Limit: usersPerPage, Offset: (pageNo - 1) * usersPerPage})
	if err != nil {
		return err
	}
	keep := "/users?q=" + urlQuery(q) + "&connection=" + urlQuery(conn) + "&status=" + urlQuery(status) + "&sort=" + urlQuery(sort) + "&page="
	data := map[string]any{
		"Users": p.Items, "Q": q, "Page": pageNo, "HasMore": p.HasMore, "First": p.Offset + 1, "Last": p.Offset + len(p.Items),
		"PrevURL": keep + itoa(pageNo-1), "NextURL": keep + itoa(pageNo+1),
		"Connection": conn, "Status": status, "Sort": sort,
	}
	if conns, err := s.st.ListConnections(r.Context()); err == nil {
		names := make([]string, len(conns))
		for i, c := range conns {
			names[i] = c.Name
		}
		data["Connections"] = names
	}
	// The total counts every user of the status; it is shown when no
	// connection or search narrows the list, which the count cannot.
	if conn == "" && q == "" {
		if n, err := s.st.CountUsers(r.Context(), status); err == nil {
			data["Total"] = n
		}
	}
	// The Explain box: why is (or isn't) someone in usersync?
	if who := r.URL.Query().Get("explain"); who != "" {
		data["Explain"] = who
		exs, err := s.explain(r.Context(), "", who)
		data["Explanations"] = exs
		if err != nil {
			_, e := classify(err)
			data["ExplainError"] = e.Message
		}
	}
	s.render(w, r, http.StatusOK, "users", "Users", data)
	return nil
}

// userPage shows one user's fields, the connection that set them, the last
// outcome a run recorded for the user and its memberships.
func (s *Server) userPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.userDetail(r, id)
	if err != nil {
		return err
	}
	ents, err := s.listEntities(r, "")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "user", d.User.UserID, userView{userDetail: d, Entities: ents, Error: s.flashText(r, flashError)})
	return nil
}

// userView is the user page: the user, the entities it can be assigned to
// and the error of the last assign or unassign.
type userView struct {
	userDetail
	Entities []store.Entity
	Error    string
}
