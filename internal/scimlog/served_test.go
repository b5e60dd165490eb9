package scimlog_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/scimlog"
	"github.com/usersync/usersync/internal/scimtest"
	"github.com/usersync/usersync/internal/store"
)

// Around the real SCIM endpoint, each entry carries the request id the
// response named and the run of the request records, so that an outcome
// leads to the request that caused it; an id the client sends itself is
// not taken, so that two requests can never share an entry's id.
func TestLogAroundTheSCIMEndpoint(t *testing.T) {
	var log *scimlog.Log
	s := scimtest.Start(t, "", scimtest.Options{Middleware: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { log.Handler(h).ServeHTTP(w, r) })
	}})
	log = scimlog.New(s.App.Store, scimlog.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { log.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"zoe@example.com","active":true,
		"name":{"givenName":"Zoe","familyName":"Z"},"password":"Pa55word-never-logged"}`
	var ids []string
	for i := range 2 {
		req, err := http.NewRequest("POST", s.URL+"/Users", strings.NewReader(strings.Replace(body, "zoe", []string{"zoe", "yan"}[i], 2)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.Token)
		req.Header.Set("Content-Type", "application/scim+json")
		req.Header.Set("X-Request-Id", "chosen-by-the-client")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST /Users: %d", resp.StatusCode)
		}
		ids = append(ids, resp.Header.Get(scimlog.HeaderRequestID))
	}
	if ids[0] == ids[1] || ids[0] == "chosen-by-the-client" {
		t.Fatalf("response request ids %v: want two of the log's own", ids)
	}
	fctx, fcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer fcancel()
	if err := log.Flush(fctx); err != nil {
		t.Fatal(err)
	}
	e, err := s.App.Store.SCIMRequestByID(fctx, ids[0])
	if err != nil {
		t.Fatalf("no log entry for the response's request id %s: %v", ids[0], err)
	}
	if e.Connection != s.Conn || e.Status != http.StatusCreated || e.UserName != "zoe@example.com" || e.ResourceID == "" ||
		strings.Contains(e.Body, "Pa55word") || !strings.Contains(e.Body, scimlog.Redacted) {
		t.Fatalf("entry = %+v", e)
	}
	runs, err := s.App.Store.ListRuns(fctx, store.RunQuery{Connection: s.Conn})
	if err != nil {
		t.Fatal(err)
	}
	// The run, or the outcome of the user the request created, names it.
	linked := false
	for _, r := range runs {
		outs, err := s.App.Store.ListOutcomes(fctx, r.ID, store.OutcomeQuery{})
		if err != nil {
			t.Fatal(err)
		}
		linked = linked || strings.Contains(fmt.Sprintf("%+v %+v", r, outs), ids[0])
	}
	if !linked {
		t.Fatalf("no run of %s or its outcomes names request %s: %+v", s.Conn, ids[0], runs)
	}
}
