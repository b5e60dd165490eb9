package web

import (
	"errors"
	"net/http"

	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/store"
)

// userPage is one page of users.
type userPage struct {
	Items   []store.User `json:"items"`
	Offset  int          `json:"offset"`
	Limit   int          `json:"limit"`
	HasMore bool         `json:"hasMore"`
}

// listUsers reads one page of users; it asks for one more than the page
// holds to know whether another page follows.
func (s *Server) listUsers(r *http.Request, q store.UserQuery) (userPage, error) {
	if err := limits.Search(q.Search); err != nil {
		return userPage{}, badRequest("search", "the search text is "+err.Error())
	}
	limit := q.Limit
	q.Limit++
	users, err := s.app.Store.ListUsers(r.Context(), q)
	if err != nil {
		return userPage{}, err
	}
	p := userPage{Items: users, Offset: q.Offset, Limit: limit}
	if len(users) > limit {
		p.Items, p.HasMore = users[:limit], true
	}
	if p.Items == nil {
		p.Items = []store.User{}
	}
	return p, nil
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r, "limit", 50, 500)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	sort, err := userSort(r)
	if err != nil {
		return err
	}
	p, err := s.listUsers(r, store.UserQuery{Connection: q.Get("connection"), Status: q.Get("status"), Search: q.Get("search"),
		Sort: sort, Limit: max(limit, 1), Offset: offset})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// userDetail is a user with the newest outcome a run recorded for it.
type userDetail struct {
	User        store.User     `json:"user"`
	LastOutcome *store.Outcome `json:"lastOutcome"`
	LastRun     *store.Run     `json:"lastRun,omitempty"`
	// Memberships are the user's permission sets, groups and sites, each
	// with its source (manual, or a connection's group rules).
	Memberships []store.Membership `json:"memberships"`
}

func (s *Server) userDetail(r *http.Request, id int64) (userDetail, error) {
	u, err := s.app.Store.GetUser(r.Context(), id)
	if err != nil {
		return userDetail{}, err
	}
	d := userDetail{User: u}
	if d.Memberships, err = s.userMemberships(r, id); err != nil {
		return d, err
	}
	o, err := s.st.LastOutcome(r.Context(), u)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return d, err
	default:
		d.LastOutcome = &o
		if run, err := s.app.Store.GetRun(r.Context(), o.RunID); err == nil {
			d.LastRun = &run
		}
	}
	return d, nil
}

func (s *Server) apiGetUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.userDetail(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
