package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// apiRunCSV is GET /api/v1/runs/{id}/outcomes.csv: every outcome of a run
// (or those of one ?action=), one line each, for a spreadsheet.
func (s *Server) apiRunCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	run, err := s.app.Store.GetRun(r.Context(), id)
	if err != nil {
		return err
	}
	outs, err := s.app.Store.ListOutcomes(r.Context(), id, store.OutcomeQuery{Action: r.URL.Query().Get("action")})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="run-%d-%s.csv"`, id, run.Connection))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"runId", "connection", "userId", "externalId", "action", "reason", "changes", "warnings"})
	for _, o := range outs {
		changes := make([]string, len(o.Changes))
		for i, c := range o.Changes {
			changes[i] = c.Field + ": " + c.Old + " → " + c.New
		}
		_ = cw.Write(csvCells(fmt.Sprint(o.RunID), run.Connection, o.UserID, o.ExternalID, o.Action, o.Reason,
			strings.Join(changes, "; "), strings.Join(o.Warnings, "; ")))
	}
	cw.Flush()
	return nil
}

// csvCells defuses values a spreadsheet would run as formulas: a cell
// starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, so that a directory value such as =HYPERLINK(...) stays text.
func csvCells(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
