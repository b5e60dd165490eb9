package scimlog_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/scimlog"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// served is a SCIM handler stand-in behind the log, on a real SQLite store.
type served struct {
	st   store.Store
	log  *scimlog.Log
	srv  *httptest.Server
	seen chan string // the body each request reached the handler with
	ids  chan string // the request id the handler saw in its context
}

func serve(t *testing.T, opts scimlog.Options, handler http.HandlerFunc) *served {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "entra", DNSName: "x", SearchPath: "dc=x", Username: "x"}
	c.ApplyDefaults()
	if err := st.PutConnection(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	s := &served{st: st, log: scimlog.New(st, opts), seen: make(chan string, 100), ids: make(chan string, 100)}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.log.Run(runCtx); close(done) }()
	s.srv = httptest.NewServer(s.log.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.seen <- string(b)
		s.ids <- scim.RequestID(r.Context())
		handler(w, r)
	})))
	t.Cleanup(func() {
		s.srv.Close()
		stop()
		<-done
		st.Close()
	})
	return s
}

func (s *served) do(t *testing.T, method, path, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (s *served) entries(t *testing.T, user string) []store.SCIMRequest {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.log.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := s.st.ListSCIMRequests(ctx, store.SCIMRequestQuery{Connection: "entra", User: user})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func scimJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// The request log records method, path, status, duration and the body, and
// each entry's request id is the one the response and the handler carried.
func TestLogRecordsARequest(t *testing.T) {
	s := serve(t, scimlog.Options{}, scimJSON(201, `{"id":"u-1","userName":"alice@example.com"}`))
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@example.com","active":true}`
	resp := s.do(t, "POST", "/scim/v2/entra/Users?x=a%20b", body, "Content-Type", "application/scim+json")
	if got := <-s.seen; got != body {
		t.Fatalf("the handler read %q, want the body unchanged", got)
	}
	list := s.entries(t, "")
	if len(list) != 1 {
		t.Fatalf("entries = %+v, want 1", list)
	}
	e := list[0]
	rid := resp.Header.Get(scimlog.HeaderRequestID)
	if rid == "" || e.RequestID != rid || <-s.ids != rid {
		t.Errorf("request id: header %q, entry %q", rid, e.RequestID)
	}
	if e.Method != "POST" || e.Path != "/Users?x=a b" || e.Status != 201 || e.Duration <= 0 || e.At.IsZero() {
		t.Errorf("entry = %+v", e)
	}
	if e.ResourceID != "u-1" || e.UserName != "alice@example.com" {
		t.Errorf("subject = %q %q, want the created id and userName", e.ResourceID, e.UserName)
	}
	if !strings.Contains(e.Body, `"userName":"alice@example.com"`) || !strings.Contains(e.Body, `"active":true`) {
		t.Errorf("body = %s", e.Body)
	}
}

// Secrets never reach the log: not the bearer token, not a password in a
// create, a PATCH by path, a path-less PATCH or an extension attribute.
func TestLogRedactsSecrets(t *testing.T) {
	s := serve(t, scimlog.Options{}, scimJSON(200, `{}`))
	const token = "tok-SECRET-1234567890"
	bodies := []string{
		`{"userName":"a","password":"Hunter2-secret-A"}`,
		`{"userName":"a","PASSWORD":"Hunter2-secret-B"}`,
		`{"Operations":[{"op":"Replace","path":"password","value":"Hunter2-secret-C"}]}`,
		`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:password","value":{"x":"Hunter2-secret-D"}}]}`,
		`{"Operations":[{"op":"replace","value":{"password":"Hunter2-secret-E","displayName":"kept"}}]}`,
		`{"urn:example:ext":{"nested":[{"password":"Hunter2-secret-F"}]}}`,
		`{"userName": "not json Hunter2-secret-G"`,
	}
	for _, b := range bodies {
		s.do(t, "PATCH", "/scim/v2/entra/Users/u-1", b, "Authorization", "Bearer "+token)
	}
	s.do(t, "GET", "/scim/v2/entra/Users?filter=password%20eq%20%22Hunter2-secret-H%22", "", "Authorization", "Bearer "+token)
	list := s.entries(t, "")
	if len(list) != len(bodies)+1 {
		t.Fatalf("%d entries, want %d", len(list), len(bodies)+1)
	}
	list = list[1:] // the GET, checked below with the others
	every, err := s.st.ListSCIMRequests(context.Background(), store.SCIMRequestQuery{Connection: "entra"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range every {
		all := e.Method + e.Path + e.Body + e.UserName + e.ResourceID
		if strings.Contains(all, "Hunter2-secret") || strings.Contains(all, token) || strings.Contains(all, "Bearer") {
			t.Errorf("a secret was logged: %+v", e)
		}
	}
	if !strings.Contains(list[2].Body, `"displayName":"kept"`) || !strings.Contains(list[2].Body, scimlog.Redacted) {
		t.Errorf("path-less replace logged as %s, want the password redacted and the rest kept", list[2].Body)
	}
	if !strings.Contains(list[0].Body, "not JSON") {
		t.Errorf("a body that is not JSON was logged as %s", list[0].Body)
	}
}

// A body larger than the logged size still reaches the handler whole (its
// own limit decides), and the log keeps only its size.
func TestLogLargeBody(t *testing.T) {
	s := serve(t, scimlog.Options{MaxBody: 1024}, scimJSON(413, `{"status":"413"}`))
	big := `{"userName":"big","x":"` + strings.Repeat("a", 5000) + `"}`
	s.do(t, "POST", "/scim/v2/entra/Users", big)
	if got := <-s.seen; len(got) != len(big) {
		t.Fatalf("the handler read %d bytes, want %d", len(got), len(big))
	}
	list := s.entries(t, "")
	if len(list) != 1 || list[0].Status != 413 || strings.Contains(list[0].Body, "aaaa") || !strings.Contains(list[0].Body, "not logged") {
		t.Fatalf("entries = %+v", list)
	}
}

// Requests are found by user: by userName and by the SCIM id a later PATCH
// uses; requests outside /scim/v2/{connection} are not logged.
func TestLogFindsAUsersRequests(t *testing.T) {
	s := serve(t, scimlog.Options{}, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST":
			scimJSON(201, `{"id":"id-bob","userName":"bob@example.com"}`)(w, r)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	s.do(t, "POST", "/scim/v2/entra/Users", `{"userName":"bob@example.com"}`)
	s.do(t, "PATCH", "/scim/v2/entra/Users/id-bob", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	s.do(t, "PATCH", "/scim/v2/entra/Users/id-carol", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	s.do(t, "GET", "/api/v1/connections", "")
	s.do(t, "GET", "/scim/v2/", "")
	if got := s.entries(t, ""); len(got) != 3 {
		t.Fatalf("%d entries, want the 3 SCIM requests: %+v", len(got), got)
	}
	got := s.entries(t, "BOB@example.com")
	if len(got) != 2 || got[0].Method != "PATCH" || got[0].Status != 204 || got[1].Method != "POST" {
		t.Fatalf("bob's requests = %+v", got)
	}
}

// Entries older than the retention are forgotten when the log starts.
func TestLogRetention(t *testing.T) {
	s := serve(t, scimlog.Options{Retention: time.Hour}, scimJSON(200, `{}`))
	old := store.SCIMRequest{RequestID: "old", Connection: "entra", At: time.Now().Add(-2 * time.Hour), Method: "GET", Path: "/Users"}
	if err := s.st.AddSCIMRequests(context.Background(), []store.SCIMRequest{old}); err != nil {
		t.Fatal(err)
	}
	// A second log on the same store, as after a restart; the served
	// one keeps running, so it gets its own variable.
	restarted := scimlog.New(s.st, scimlog.Options{Retention: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { restarted.Run(ctx); close(done) }()
	if err := restarted.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if _, err := s.st.SCIMRequestByID(context.Background(), "old"); err == nil {
		t.Fatal("an entry older than the retention was kept")
	}
}
