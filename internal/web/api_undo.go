package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/reconcile"
)

// undoRun runs the undo of run id; a run the deletion guard held is a
// result, not an error.
func (s *Server) undoRun(r *http.Request, id int64, dryRun bool) (*app.UndoReport, error) {
	rep, err := s.app.UndoRun(r.Context(), id, dryRun)
	if err != nil && (rep == nil || !errors.Is(err, reconcile.ErrGuardTipped)) {
		return nil, err
	}
	return rep, nil
}

// apiUndoRun takes back what run {id} changed, as a new run; with
// ?dryRun=true it answers the plan and the conflicts and writes nothing.
func (s *Server) apiUndoRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	dry := false
	if v := r.URL.Query().Get("dryRun"); v != "" {
		if dry, err = strconv.ParseBool(v); err != nil {
			return badRequest("dryRun", "dryRun must be true or false")
		}
	}
	rep, err := s.undoRun(r, id, dry)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// undoRunSubmit is the run page's Undo button.
func (s *Server) undoRunSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.undoRun(r, id, false)
	if err != nil {
		_, e := classify(err)
		http.Redirect(w, r, "/runs/"+strconv.FormatInt(id, 10)+"?error="+urlQuery(e.Message), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/runs/"+strconv.FormatInt(rep.ID, 10)+"?decided="+rep.Status, http.StatusSeeOther)
	return nil
}

// undoPreviewPage shows what undoing run {id} would change and the
// conflicts it would leave alone, with the button that does it.
func (s *Server) undoPreviewPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.undoRun(r, id, true)
	if err != nil {
		_, e := classify(err)
		http.Redirect(w, r, "/runs/"+strconv.FormatInt(id, 10)+"?error="+urlQuery(e.Message), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "undo", "Undo run "+strconv.FormatInt(id, 10), map[string]any{"ID": id, "Report": rep})
	return nil
}
