package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// mappingsDoc is a connection's mappings, scope, template and leave policy:
// the body of GET and PUT /api/v1/connections/{name}/mappings.
type mappingsDoc struct {
	Mappings    []mapping.Mapping      `json:"mappings"`
	Scope       *mapping.Scope         `json:"scope"`
	Template    *mapping.Template      `json:"template"`
	LeavePolicy connection.LeavePolicy `json:"leavePolicy"`
	// Baseline says no mappings are set: Mappings shows the baseline of
	// BaselineFlavor. A PUT with baseline true clears the mappings, so the
	// baseline applies again.
	Baseline       bool   `json:"baseline,omitempty"`
	BaselineFlavor string `json:"baselineFlavor,omitempty"`
}

// guessFlavor guesses a connection's directory flavor without dialing it,
// to show the baseline that applies: a sync uses the flavor the directory
// reports.
func guessFlavor(c connection.Connection) directory.Flavor {
	key := strings.ToLower(c.LinkingKey)
	f := strings.ToLower(c.SearchFilter)
	switch {
	case key == "entryuuid":
		return directory.FlavorOpenLDAP
	case key == "objectguid", strings.Contains(f, "objectcategory"), strings.Contains(f, "samaccountname"), strings.Contains(f, "objectclass=user"):
		return directory.FlavorActiveDirectory
	}
	return directory.FlavorOpenLDAP
}

// mappingsOf returns c's document, the baseline shown when none are set.
func mappingsOf(c connection.Connection) mappingsDoc {
	d := mappingsDoc{Mappings: c.Mappings, Scope: c.Scope, Template: c.Template, LeavePolicy: c.LeavePolicy}
	if d.Mappings == nil {
		f := guessFlavor(c)
		d.Mappings, d.Baseline, d.BaselineFlavor = mapping.Baseline(f).Mappings, true, string(f)
	}
	return d
}

// applyTo sets c's mappings, scope, template and leave policy from d.
func (d mappingsDoc) applyTo(c *connection.Connection) {
	c.Mappings, c.Scope, c.Template, c.LeavePolicy = d.Mappings, d.Scope, d.Template, d.LeavePolicy
	if d.Baseline {
		c.Mappings = nil
	}
	if c.LeavePolicy.Action == "" {
		c.LeavePolicy.Action = connection.LeaveDeactivate
	}
}

func (s *Server) apiGetMappings(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.app.Store.GetConnection(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mappingsOf(c))
	return nil
}

// apiPutMappings validates a mappings document with the connection's
// Validate and stores it, keeping everything else (and the password). An
// invalid document changes nothing.
func (s *Server) apiPutMappings(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.app.Store.GetConnection(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	var d mappingsDoc
	if err := readJSON(r, &d); err != nil {
		return err
	}
	d.applyTo(&c)
	stored, _, err := s.app.PutConnection(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mappingsOf(stored))
	return nil
}

// previewLimit is how many planned changes a preview shows.
const previewLimit = 50

// previewView is a dry run's report: the counts, and the first planned
// changes.
type previewView struct {
	store.Run
	Plan []store.Outcome `json:"plan"`
	// PlanTotal is how many users the plan names; Plan holds the first
	// previewLimit.
	PlanTotal int `json:"planTotal"`
}

func newPreview(rep *reconcile.Report) *previewView {
	v := &previewView{Run: rep.Run, Plan: rep.Plan, PlanTotal: len(rep.Plan)}
	if len(v.Plan) > previewLimit {
		v.Plan = v.Plan[:previewLimit]
	}
	if v.Plan == nil {
		v.Plan = []store.Outcome{}
	}
	return v
}

// preview runs a dry run of the connection, with d's settings instead of
// the stored ones when d is not nil. It writes nothing.
func (s *Server) preview(r *http.Request, name string, d *mappingsDoc) (*previewView, error) {
	if _, _, err := s.app.Store.GetConnection(r.Context(), name); err != nil {
		return nil, err
	}
	opts := app.SyncOptions{DryRun: true, Trigger: store.TriggerManual}
	if d != nil {
		opts.Override = d.applyTo
	}
	rep, err := s.app.Sync(r.Context(), name, opts)
	if err != nil {
		return nil, err
	}
	return newPreview(rep), nil
}

// apiPreview is a dry run of the connection: with the stored settings, or
// with the mappings document in the body (unsaved settings).
func (s *Server) apiPreview(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return badRequest("", "request body: "+err.Error())
	}
	var d *mappingsDoc
	if len(bytes.TrimSpace(body)) > 0 {
		d = new(mappingsDoc)
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(d); err != nil {
			return badRequest("", "request body: "+err.Error())
		}
	}
	v, err := s.preview(r, r.PathValue("name"), d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
