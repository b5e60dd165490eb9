package web

import (
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// directoryUsersView is a search of a connection's directory.
type directoryUsersView struct {
	Users []app.DirectoryUser `json:"users"`
	// More says more entries matched than the MaxDirectoryUsers shown.
	More bool `json:"more"`
}

// addUserRequest is the body of POST .../directory-users/add.
type addUserRequest struct {
	DN     string `json:"dn"`
	DryRun bool   `json:"dryRun"`
}

// addUserView is the report of adding one directory user.
type addUserView struct {
	*reconcile.Report
	// Reasons are the reasons the run gives for the user, such as a
	// disabled account being refused.
	Reasons []string `json:"reasons"`
	// Added says whether the entry is (or, in a dry run, would be) an
	// active user in usersync afterwards; when it is not, NotAddedReason
	// says why.
	Added          bool   `json:"added"`
	NotAddedReason string `json:"notAddedReason,omitempty"`
}

func newAddUserView(rep *reconcile.Report) addUserView {
	v := addUserView{Report: rep, Reasons: []string{}}
	v.Added, v.NotAddedReason = app.AddedUser(rep)
	for _, o := range rep.Plan {
		if o.Reason != "" {
			v.Reasons = append(v.Reasons, o.Reason)
		}
	}
	return v
}

func (s *Server) searchDirectoryUsers(r *http.Request, name, q string) (directoryUsersView, error) {
	if strings.TrimSpace(q) == "" {
		return directoryUsersView{}, badRequest("q", "a search text is required")
	}
	users, more, err := s.app.SearchDirectoryUsers(r.Context(), name, q)
	if users == nil {
		users = []app.DirectoryUser{}
	}
	return directoryUsersView{Users: users, More: more}, err
}

func (s *Server) apiSearchDirectoryUsers(w http.ResponseWriter, r *http.Request) error {
	v, err := s.searchDirectoryUsers(r, r.PathValue("name"), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// addDirectoryUser applies (or, dry, plans) one directory entry. The
// outcomes of a real run are read back from the store so that both kinds
// of report carry the reasons.
func (s *Server) addDirectoryUser(r *http.Request, name, dn string, dry bool) (addUserView, error) {
	if strings.TrimSpace(dn) == "" {
		return addUserView{}, badRequest("dn", "the entry's DN is required")
	}
	rep, err := s.app.AddDirectoryUser(r.Context(), name, dn, dry)
	if err != nil {
		return addUserView{}, err
	}
	if !dry && rep.ID != 0 {
		outs, err := s.app.Store.ListOutcomes(r.Context(), rep.ID, store.OutcomeQuery{})
		if err != nil {
			return addUserView{}, err
		}
		rep.Plan = outs
	}
	return newAddUserView(rep), nil
}

func (s *Server) apiAddDirectoryUser(w http.ResponseWriter, r *http.Request) error {
	var req addUserRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	v, err := s.addDirectoryUser(r, r.PathValue("name"), req.DN, req.DryRun)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
