package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/usersync/usersync/internal/store"
)

// outcomesPerPage is how many outcomes one page of a run shows.
const outcomesPerPage = 100

// outcomeRow is an outcome as the run page shows it: a created user (whose
// outcome was recorded before its row existed) is found by its connection
// and linking key so that it links to the user and shows the values it got.
type outcomeRow struct {
	store.Outcome
	UserRow int64
	Values  map[string]string
}

// outcomePage reads one page of a run's outcomes, filtered by action and
// by a part of the userId, and the links to the pages beside it.
func (s *Server) outcomePage(r *http.Request, run store.Run, action string) (map[string]any, error) {
	pageNo, err := intParam(r, "page", 1, 1<<20)
	if err != nil {
		return nil, err
	}
	pageNo = max(pageNo, 1)
	user := r.URL.Query().Get("user")
	outs, err := s.app.Store.ListOutcomes(r.Context(), run.ID, store.OutcomeQuery{Action: action, User: user,
		Limit: outcomesPerPage + 1, Offset: (pageNo - 1) * outcomesPerPage})
	if err != nil {
		return nil, err
	}
	more := len(outs) > outcomesPerPage
	if more {
		outs = outs[:outcomesPerPage]
	}
	rows := make([]outcomeRow, len(outs))
	for i, o := range outs {
		rows[i] = outcomeRow{Outcome: o, UserRow: o.UserRowID}
		if o.Action == store.ActionCreated {
			if u, ok := s.createdUser(r.Context(), run.Connection, o); ok {
				rows[i].UserRow, rows[i].Values = u.ID, u.Fields
			}
		}
	}
	link := func(p int) string {
		v := url.Values{"page": {strconv.Itoa(p)}}
		if action != "" {
			v.Set("action", action)
		}
		if user != "" {
			v.Set("user", user)
		}
		return "/runs/" + strconv.FormatInt(run.ID, 10) + "?" + v.Encode()
	}
	data := map[string]any{"Rows": rows, "User": user, "Page": pageNo, "First": (pageNo-1)*outcomesPerPage + 1,
		"Last": (pageNo-1)*outcomesPerPage + len(rows)}
	if pageNo > 1 {
		data["PrevURL"] = link(pageNo - 1)
	}
	if more {
		data["NextURL"] = link(pageNo + 1)
	}
	return data, nil
}

// createdUser finds the user a created outcome made: same connection and
// linking key.
func (s *Server) createdUser(ctx context.Context, conn string, o store.Outcome) (store.User, bool) {
	if o.UserID == "" {
		return store.User{}, false
	}
	users, err := s.app.Store.FindUsers(ctx, o.UserID)
	if err != nil {
		return store.User{}, false
	}
	for _, u := range users {
		if u.Connection == conn && u.ExternalID == o.ExternalID {
			return u, true
		}
	}
	return store.User{}, false
}
