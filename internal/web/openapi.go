package web

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the hand-written OpenAPI 3 description of /api/v1. A test
// checks that it documents every API route and nothing else.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
	return nil
}
