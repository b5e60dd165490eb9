package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/usersync/usersync/internal/connection"
)

func (s *Server) apiListConnections(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.app.Store.ListConnections(r.Context())
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []connection.Connection{}
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

func (s *Server) apiGetConnection(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.app.Store.GetConnection(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	warnings, err := s.overlapWarnings(r.Context(), c)
	if err != nil {
		return err
	}
	setWarningHeaders(w, warnings)
	writeJSON(w, http.StatusOK, c)
	return nil
}

// apiPutConnection creates or replaces the connection named in the path. A
// document without a password keeps the stored one.
func (s *Server) apiPutConnection(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return badRequest("", "request body: "+err.Error())
	}
	c, err := connection.Parse(body)
	if err != nil {
		return badRequest("", err.Error())
	}
	name := r.PathValue("name")
	if c.Name == "" {
		c.Name = name
	}
	if c.Name != name {
		return badRequest("name", fmt.Sprintf("the document's name %q differs from the path's %q", c.Name, name))
	}
	stored, created, err := s.app.PutConnection(r.Context(), c)
	if err != nil {
		return err
	}
	warnings, err := s.overlapWarnings(r.Context(), stored)
	if err != nil {
		return err
	}
	setWarningHeaders(w, warnings)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/connections/"+stored.Name)
	}
	writeJSON(w, status, stored)
	return nil
}

func (s *Server) apiDeleteConnection(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.DeleteConnection(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkView is the result of a successful check connection.
type checkView struct {
	OK         bool     `json:"ok"`
	Flavor     string   `json:"flavor"`
	Vendor     string   `json:"vendor,omitempty"`
	Entries    int      `json:"entries"`
	Steps      []string `json:"steps"`
	DurationMs int64    `json:"durationMs"`
}

// check runs check connection for the named connection.
func (s *Server) check(r *http.Request, name string) (checkView, error) {
	if _, _, err := s.app.Store.GetConnection(r.Context(), name); err != nil {
		return checkView{}, err
	}
	res, err := s.app.CheckConnection(r.Context(), name)
	if err != nil {
		return checkView{}, err
	}
	return checkView{OK: true, Flavor: string(res.Flavor), Vendor: res.Vendor, Entries: res.Entries, Steps: res.Steps,
		DurationMs: res.Duration.Milliseconds()}, nil
}

func (s *Server) apiCheckConnection(w http.ResponseWriter, r *http.Request) error {
	v, err := s.check(r, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// apiGetConfigureTwo returns the stored configureTwo document exactly as
// it was saved, or the panel's starting document when none was.
func (s *Server) apiGetConfigureTwo(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if _, _, err := s.app.Store.GetConnection(r.Context(), name); err != nil {
		return err
	}
	doc, err := s.app.ConfigureTwo(r.Context(), name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, doc)
	return nil
}

// apiPutConfigureTwo stores a configureTwo document on the connection
// (app.SetConfigureTwo), keeping everything else (and the password) as it
// was.
func (s *Server) apiPutConfigureTwo(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if _, _, err := s.app.Store.GetConnection(r.Context(), name); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return badRequest("configureTwo", "request body: "+err.Error())
	}
	c, err := s.app.SetConfigureTwo(r.Context(), name, body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, c.ConfigureTwo)
	return nil
}
