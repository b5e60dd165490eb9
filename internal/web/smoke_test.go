package web

import (
	"net/http"
	"testing"
)

func TestSmokePages(t *testing.T) {
	e := newTestEnv(t)
	d := startDemoDir(t)
	if _, _, err := e.app.PutConnection(t.Context(), d.Connection("demo")); err != nil {
		t.Fatal(err)
	}
	c := e.login()
	for _, p := range []string{"/", "/connections", "/connections/new", "/connections/new?type=source", "/connections/demo", "/runs", "/users"} {
		c.get(p, http.StatusOK)
	}
}
