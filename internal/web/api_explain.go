package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/app"
)

// explain answers "why is (or isn't) this user in usersync?" the way
// `usersync users explain` does: from the store, the run history and a live
// look in each connection's directory (only conn when not empty).
func (s *Server) explain(ctx context.Context, conn, who string) ([]app.Explanation, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return nil, badRequest("user", "user is required: a userId, UPN, login, mail or cn")
	}
	exs, err := s.app.ExplainUser(ctx, conn, who)
	if exs == nil {
		exs = []app.Explanation{}
	}
	return exs, err
}

// apiExplainUser is GET /api/v1/users/explain?user=WHO[&connection=NAME].
func (s *Server) apiExplainUser(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	exs, err := s.explain(r.Context(), q.Get("connection"), q.Get("user"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, exs)
	return nil
}
