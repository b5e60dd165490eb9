package web

import (
	"net/http"

	"github.com/usersync/usersync/internal/mapping/expr"
)

// exprTestInput is the body of POST
// /api/v1/connections/{name}/mappings/test.
type exprTestInput struct {
	User       string `json:"user"`
	Expression string `json:"expression"`
	Target     string `json:"target"`
}

// apiTestExpression evaluates an expression against one real directory
// entry, as `usersync mapping test` does, and returns what it read and
// gave. An expression that fails for the entry is a 200 with its error: the
// request worked.
func (s *Server) apiTestExpression(w http.ResponseWriter, r *http.Request) error {
	var in exprTestInput
	if err := readJSON(r, &in); err != nil {
		return err
	}
	res, err := s.app.TestExpression(r.Context(), r.PathValue("name"), in.User, in.Target, in.Expression)
	if err != nil {
		return err
	}
	if res.Values == nil {
		res.Values = []string{}
	}
	if res.Reads == nil {
		res.Reads = []expr.Read{}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
