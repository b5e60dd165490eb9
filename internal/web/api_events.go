package web

import (
	"net/http"

	"github.com/usersync/usersync/internal/events"
)

// apiListEvents serves the change feed: the events after ?after=SEQ, in
// order, at most ?limit=N. A client stores the page's next value once it
// has processed the page and asks after it next time, so that it neither
// misses nor counts twice a change across restarts of either side.
func (s *Server) apiListEvents(w http.ResponseWriter, r *http.Request) error {
	after, err := intParam(r, "after", 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 100, events.MaxLimit)
	if err != nil {
		return err
	}
	p, err := events.Read(r.Context(), s.app.Store, int64(after), max(limit, 1))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
