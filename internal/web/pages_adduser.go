package web

import (
	"net/http"

	"github.com/usersync/usersync/internal/connection"
)

// addUserPage is what the "Add a directory user" page shows.
type addUserPage struct {
	Connections []connection.Connection
	Connection  string
	Q           string
	Found       *directoryUsersView
	DN          string
	Result      *addUserView
	Applied     bool
	Error       string
	Field       string
}

// addUserForm is the "Add a directory user" page ("Add Active Directory
// User", Entra's "provision on demand"): search a connection's
// directory, then plan or apply one entry.
func (s *Server) addUserForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := addUserPage{Connection: q.Get("connection"), Q: q.Get("q")}
	if p.Connection != "" && p.Q != "" {
		v, err := s.searchDirectoryUsers(r, p.Connection, p.Q)
		if err != nil {
			return s.renderAddUser(w, r, p, err)
		}
		p.Found = &v
	}
	return s.renderAddUser(w, r, p, nil)
}

// addUserSubmit is "Show plan" (a dry run of the one entry) or "Add /
// update" (applies it), chosen by the button's action value.
func (s *Server) addUserSubmit(w http.ResponseWriter, r *http.Request) error {
	p := addUserPage{Connection: r.PostFormValue("connection"), Q: r.PostFormValue("q"), DN: r.PostFormValue("dn")}
	dry := r.PostFormValue("action") != "add"
	v, err := s.addDirectoryUser(r, p.Connection, p.DN, dry)
	if err == nil {
		p.Result, p.Applied = &v, !dry
	}
	return s.renderAddUser(w, r, p, err)
}

func (s *Server) renderAddUser(w http.ResponseWriter, r *http.Request, p addUserPage, err error) error {
	status := http.StatusOK
	if err != nil {
		var e apiError
		status, e = classify(err)
		if status >= 500 && status != http.StatusBadGateway {
			s.log.Error("page failed", "path", r.URL.Path, "err", err)
		}
		p.Error, p.Field = e.Message, e.Field
	}
	cs, lerr := s.app.Store.ListConnections(r.Context())
	if lerr != nil {
		return lerr
	}
	for _, c := range cs {
		if c.DirectoryType == connection.DirectorySource {
			p.Connections = append(p.Connections, c)
		}
	}
	s.render(w, r, status, "user_add", "Add a directory user", p)
	return nil
}
