package msgraph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeGraph answers delta queries with scripted pages, in the response
// shapes of Microsoft's user-delta and group-delta pages: each page is a
// JSON object with value and either @odata.nextLink or @odata.deltaLink.
// It is the small fixture beside the tests against the local Graph in
// internal/testdir/graph.
type fakeGraph struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	// routes maps a request path and query ("/v1.0/users/delta?...") to
	// the answers it gives, one per call; the last repeats.
	routes map[string][]answer
	calls  []string
}

type answer struct {
	status     int
	retryAfter string
	body       string
}

func newFakeGraph(t *testing.T) *fakeGraph {
	t.Helper()
	f := &fakeGraph{t: t, routes: map[string][]answer{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer test-token" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}`)
		return
	}
	// Routes are registered without $select, which the reader builds
	// from its query.
	var rest []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		if part != "" && !strings.HasPrefix(part, "$select=") {
			rest = append(rest, part)
		}
	}
	key := r.URL.Path
	if len(rest) > 0 {
		key += "?" + strings.Join(rest, "&")
	}
	f.mu.Lock()
	f.calls = append(f.calls, key)
	as, ok := f.routes[key]
	var a answer
	if ok {
		a = as[0]
		if len(as) > 1 {
			f.routes[key] = as[1:]
		}
	}
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":{"code":"Request_ResourceNotFound","message":"no route %s"}}`, key)
		return
	}
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	if a.status != 0 {
		w.WriteHeader(a.status)
	}
	fmt.Fprint(w, strings.ReplaceAll(a.body, "BASE", f.srv.URL))
}

// on registers the answers for a path prefix.
func (f *fakeGraph) on(path string, as ...answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[path] = as
}

// pageOf is a delta page with the given objects and link.
func pageOf(link string, objs ...string) answer {
	return answer{body: `{"@odata.context":"BASE/v1.0/$metadata#users",` + link + `,"value":[` + strings.Join(objs, ",") + `]}`}
}

func next(path string) string  { return `"@odata.nextLink":"BASE` + path + `"` }
func delta(path string) string { return `"@odata.deltaLink":"BASE` + path + `"` }

func user(id, upn string, extra ...string) string {
	m := map[string]any{"id": id, "userPrincipalName": upn, "accountEnabled": true, "userType": "Member", "displayName": upn}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}
