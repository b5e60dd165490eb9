package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// pathID reads the numeric {id} of a route.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("id", "id must be a positive number")
	}
	return id, nil
}

// intParam reads a non-negative integer query parameter, clamped to max.
func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest(name, name+" must be a non-negative number")
	}
	return min(n, max), nil
}

func (s *Server) apiListRuns(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r, "limit", 50, 1000)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	runs, err := s.app.Store.ListRuns(r.Context(), store.RunQuery{Connection: q.Get("connection"), Status: q.Get("status"), Limit: max(limit, 1)})
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []store.Run{}
	}
	writeJSON(w, http.StatusOK, runs)
	return nil
}

// apiStartRun starts a sync now, in the background, and answers 202 with
// the run record; poll /api/v1/runs/{id}/progress for its progress.
func (s *Server) apiStartRun(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Connection string `json:"connection"`
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	if req.Connection == "" {
		return badRequest("connection", "connection is required")
	}
	run, err := s.startRun(r.Context(), req.Connection)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/runs/"+strconv.FormatInt(run.ID, 10))
	writeJSON(w, http.StatusAccepted, run)
	return nil
}

// runDetail is a run with its per-user outcomes.
type runDetail struct {
	store.Run
	Outcomes []store.Outcome `json:"outcomes"`
}

var actions = []string{store.ActionCreated, store.ActionUpdated, store.ActionDeactivated, store.ActionSkipped,
	store.ActionFailed, store.ActionPendingDeactivation, reconcile.ActionConflict}

// runWithOutcomes loads a run and its outcomes, filtered by action.
func (s *Server) runWithOutcomes(r *http.Request, id int64, action string, limit int) (runDetail, error) {
	if action != "" && !slices.Contains(actions, action) {
		return runDetail{}, badRequest("action", "action must be one of "+strings.Join(actions, ", "))
	}
	run, err := s.app.Store.GetRun(r.Context(), id)
	if err != nil {
		return runDetail{}, err
	}
	outs, err := s.app.Store.ListOutcomes(r.Context(), id, store.OutcomeQuery{Action: action, Limit: limit})
	if err != nil {
		return runDetail{}, err
	}
	if outs == nil {
		outs = []store.Outcome{}
	}
	return runDetail{run, outs}, nil
}

func (s *Server) apiGetRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 1000, 100000)
	if err != nil {
		return err
	}
	d, err := s.runWithOutcomes(r, id, r.URL.Query().Get("action"), max(limit, 1))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) apiRunProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.runProgress(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, v)
	return nil
}

// decide approves or rejects a run held by the deletion guard, by the last
// element of the request path.
func (s *Server) decide(r *http.Request, id int64) (store.Run, error) {
	if _, err := s.app.Store.GetRun(r.Context(), id); err != nil {
		return store.Run{}, err
	}
	if strings.HasSuffix(r.URL.Path, "/approve") {
		return s.app.ApproveRun(r.Context(), id)
	}
	return s.app.RejectRun(r.Context(), id)
}

func (s *Server) apiDecideRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	run, err := s.decide(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}

// apiCancelRun cancels a running sync this server started and answers with
// the run as recorded after it stopped.
func (s *Server) apiCancelRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	run, err := s.app.CancelRun(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}
