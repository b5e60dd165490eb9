package web

import (
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// localUserInput is the body of create and update. Password is write-only:
// it is hashed with bcrypt and never returned.
type localUserInput struct {
	UserID      string            `json:"userId"`
	Password    string            `json:"password"`
	Status      string            `json:"status"`
	DisplayName string            `json:"displayName"`
	FirstName   string            `json:"firstName"`
	LastName    string            `json:"lastName"`
	Email       string            `json:"email"`
	Fields      map[string]string `json:"fields"`
}

// toUser checks the input and builds the user; requirePassword is true on
// create.
func (in localUserInput) toUser(requirePassword bool) (store.User, error) {
	u := store.User{UserID: strings.TrimSpace(in.UserID), Status: in.Status, Source: store.SourceLocal, Fields: map[string]string{}}
	if u.UserID == "" {
		return u, badRequest("userId", "userId is required")
	}
	switch u.Status {
	case "":
		u.Status = store.StatusActive
	case store.StatusActive, store.StatusInactive:
	default:
		return u, badRequest("status", fmt.Sprintf("status must be %q or %q", store.StatusActive, store.StatusInactive))
	}
	if in.Password == "" && requirePassword {
		return u, badRequest("password", "password is required")
	}
	if in.Password != "" {
		if len(in.Password) < 12 || len(in.Password) > 72 {
			return u, badRequest("password", "password must have 12 to 72 characters")
		}
		h, err := bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost)
		if err != nil {
			return u, fmt.Errorf("web: hash password: %w", err)
		}
		u.PasswordHash = string(h)
	}
	for k, v := range in.Fields {
		name, err := mapping.OperatorField(k, v)
		if err != nil {
			return u, badRequest("fields."+k, err.Error())
		}
		u.Fields[name] = v
	}
	for k, v := range map[string]string{store.FieldDisplayName: in.DisplayName, store.FieldFirstName: in.FirstName,
		store.FieldLastName: in.LastName, store.FieldEmail: in.Email} {
		if v != "" {
			u.Fields[k] = v
		}
	}
	return u, nil
}

func (s *Server) apiListLocalUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.st.ListLocalUsers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if users == nil {
		users = []store.User{}
	}
	writeJSON(w, http.StatusOK, users)
}

func (s *Server) apiCreateLocalUser(w http.ResponseWriter, r *http.Request) {
	var in localUserInput
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := in.toUser(true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := s.app.Store.CreateLocalUser(r.Context(), u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeLocalUser(w, r, id, http.StatusCreated)
}

// localUser loads a user and refuses directory users (404): they belong to
// their connection.
func (s *Server) localUser(r *http.Request) (store.User, error) {
	id, err := pathID(r)
	if err != nil {
		return store.User{}, err
	}
	u, err := s.app.Store.GetUser(r.Context(), id)
	if err != nil {
		return u, err
	}
	if u.Source != store.SourceLocal {
		return u, fmt.Errorf("user %d is a directory user, not a local one: %w", id, store.ErrNotFound)
	}
	return u, nil
}

func (s *Server) writeLocalUser(w http.ResponseWriter, r *http.Request, id int64, status int) {
	u, err := s.app.Store.GetUser(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, u)
}

func (s *Server) apiGetLocalUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.localUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// apiUpdateLocalUser replaces a local user's userId, status and fields; an
// empty password keeps the current one.
func (s *Server) apiUpdateLocalUser(w http.ResponseWriter, r *http.Request) {
	old, err := s.localUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in localUserInput
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := in.toUser(false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u.ID = old.ID
	if err := s.st.UpdateLocalUser(r.Context(), u); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeLocalUser(w, r, u.ID, http.StatusOK)
}

func (s *Server) apiDeleteLocalUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.localUser(r)
	if err == nil {
		err = s.st.DeleteLocalUser(r.Context(), u.ID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
