package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

func itoa(n int) string { return strconv.Itoa(n) }

// dashboardPage shows totals and the run history chart.
func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cs, err := s.app.Store.ListConnections(ctx)
	if err != nil {
		return err
	}
	runs, err := s.app.Store.ListRuns(ctx, store.RunQuery{Limit: 30})
	if err != nil {
		return err
	}
	active, err := s.countUsers(r, store.StatusActive)
	if err != nil {
		return err
	}
	inactive, err := s.countUsers(r, store.StatusInactive)
	if err != nil {
		return err
	}
	recent := runs
	if len(recent) > 8 {
		recent = recent[:8]
	}
	s.render(w, r, http.StatusOK, "dashboard", "Dashboard", map[string]any{
		"Connections": len(cs), "Active": active, "Inactive": inactive, "Runs": recent, "Chart": runChart(runs),
		"Warned": latestWarned(runs),
	})
	return nil
}

// countUsers counts users with a status.
func (s *Server) countUsers(r *http.Request, status string) (int, error) {
	return s.st.CountUsers(r.Context(), status)
}

// latestWarned returns, of each connection's latest run among runs (newest
// first), those that ended with warnings, so that the dashboard shows a
// problem until a later run of the same connection is clean.
func latestWarned(runs []store.Run) []store.Run {
	seen := map[string]bool{}
	var out []store.Run
	for _, r := range runs {
		if r.Status == store.RunRunning || seen[r.Connection] {
			continue
		}
		seen[r.Connection] = true
		if ws := needsAttention(r.Warnings); len(ws) > 0 {
			r.Warnings = ws
			out = append(out, r)
		}
	}
	return out
}

// needsAttention drops the warnings that only say how a run went (why it
// read everything, when held deactivations were approved) from those an
// administrator must act on.
func needsAttention(warnings []string) []string {
	var out []string
	for _, w := range warnings {
		if strings.HasPrefix(w, "full run") || strings.HasPrefix(w, "the next run is full") || strings.Contains(w, " approved at ") {
			continue
		}
		out = append(out, w)
	}
	return out
}
