package web

import (
	"net/http"
	"strconv"

	"github.com/usersync/usersync/internal/store"
)

func (s *Server) runsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderRuns(w, r, http.StatusOK, "")
}

func (s *Server) renderRuns(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	runs, err := s.app.Store.ListRuns(r.Context(), store.RunQuery{Connection: r.URL.Query().Get("connection"), Limit: 100})
	if err != nil {
		return err
	}
	cs, err := s.app.Store.ListConnections(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "runs", "Runs", map[string]any{"Runs": runs, "Connections": cs, "Error": errMsg})
	return nil
}

// startRunSubmit starts a sync from the UI and shows its live progress.
func (s *Server) startRunSubmit(w http.ResponseWriter, r *http.Request) error {
	run, err := s.startRun(r.Context(), r.PostFormValue("connection"))
	if err != nil {
		status, e := classify(err)
		if status >= 500 && status != http.StatusBadGateway {
			s.log.ErrorContext(r.Context(), "start sync failed", "connection", r.PostFormValue("connection"), "err", err)
		}
		return s.renderRuns(w, r, status, e.Message)
	}
	http.Redirect(w, r, "/runs/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
	return nil
}

// runPage is a run's detail: live progress while it runs, every user's
// outcome filtered by action, and the approval of a held run.
func (s *Server) runPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.URL.Query().Get("action")
	d, err := s.runWithOutcomes(r, id, action, 1)
	if err != nil {
		return err
	}
	op, err := s.outcomePage(r, d.Run, action)
	if err != nil {
		return err
	}
	prog, err := s.progressOf(r.Context(), d.Run)
	if err != nil {
		return err
	}
	var pending []store.Outcome
	if d.Status == store.RunAwaitingApproval {
		if pending, err = s.app.Store.ListOutcomes(r.Context(), id, store.OutcomeQuery{Action: store.ActionPendingDeactivation}); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "run", "Run "+strconv.FormatInt(id, 10), map[string]any{
		"Run": d.Run, "Outcomes": op["Rows"], "Out": op, "Action": action, "Actions": actions, "Progress": prog, "Pending": pending,
		"RunError": runErrorText(d.Run),
		"Decided":  s.flashText(r, "decided"), "Error": s.flashText(r, flashError),
	})
	return nil
}

func (s *Server) decideRunSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	run, err := s.decide(r, id)
	target := "/runs/" + strconv.FormatInt(id, 10)
	if err != nil {
		_, e := classify(err)
		s.redirectFlash(w, r, target, flashError, e.Message)
		return nil
	}
	s.redirectFlash(w, r, target, "decided", run.Status)
	return nil
}

// cancelRunSubmit cancels a running sync from its page.
func (s *Server) cancelRunSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	target := "/runs/" + strconv.FormatInt(id, 10)
	run, err := s.app.CancelRun(r.Context(), id)
	if err != nil {
		_, e := classify(err)
		s.redirectFlash(w, r, target, flashError, e.Message)
		return nil
	}
	s.redirectFlash(w, r, target, "decided", run.Status)
	return nil
}
