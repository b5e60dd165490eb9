package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// logSCIM puts a connection and log entries straight into the store, as
// the SCIM request log middleware writes them.
func logSCIM(t *testing.T, e *testEnv, conn string, entries ...store.SCIMRequest) {
	t.Helper()
	c := connection.Connection{Name: conn, DNSName: "x.example.com", SearchPath: "dc=x", Username: "x"}
	c.ApplyDefaults()
	if err := e.app.Store.PutConnection(context.Background(), c, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Store.AddSCIMRequests(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
}

// The SCIM request log is viewable in the API, filterable by user, pages
// by before, and a bad parameter or an unknown connection is a clear error.
func TestSCIMRequestsAPI(t *testing.T) {
	e := newTestEnv(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	logSCIM(t, e, "entra",
		store.SCIMRequest{RequestID: "a1", Connection: "entra", At: at, Method: "POST", Path: "/Users", Status: 201, Duration: 2500 * time.Microsecond,
			ResourceID: "id-1", UserName: "ann@example.com", Body: `{"userName":"ann@example.com","password":"[redacted]"}`},
		store.SCIMRequest{RequestID: "a2", Connection: "entra", At: at.Add(time.Second), Method: "PATCH", Path: "/Users/id-1", Status: 204, ResourceID: "id-1"},
		store.SCIMRequest{RequestID: "b1", Connection: "entra", At: at.Add(2 * time.Second), Method: "POST", Path: "/Users", Status: 201, ResourceID: "id-2", UserName: "ben@example.com"},
	)
	c := e.login()
	var page struct {
		Requests []struct {
			RequestID  string  `json:"requestId"`
			Method     string  `json:"method"`
			Status     int     `json:"status"`
			DurationMS float64 `json:"durationMs"`
			UserName   string  `json:"userName"`
			Body       string  `json:"body"`
		} `json:"requests"`
		NextBefore int64 `json:"nextBefore"`
	}
	get := func(path string) {
		t.Helper()
		code, body := c.api("GET", path, "")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		page.Requests, page.NextBefore = nil, 0
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
	}
	get("/api/v1/connections/entra/scim/requests?user=ANN@example.com")
	if len(page.Requests) != 2 || page.Requests[0].RequestID != "a2" || page.Requests[1].RequestID != "a1" ||
		page.Requests[1].DurationMS != 2.5 || !strings.Contains(page.Requests[1].Body, "[redacted]") || page.NextBefore != 0 {
		t.Fatalf("ann's requests = %+v", page)
	}
	get("/api/v1/connections/entra/scim/requests?limit=2")
	if len(page.Requests) != 2 || page.Requests[0].RequestID != "b1" || page.NextBefore == 0 {
		t.Fatalf("first page = %+v", page)
	}
	get("/api/v1/connections/entra/scim/requests?limit=2&before=" + strconv.FormatInt(page.NextBefore, 10))
	if len(page.Requests) != 1 || page.Requests[0].RequestID != "a1" {
		t.Fatalf("second page = %+v", page)
	}

	for _, tt := range []struct {
		path  string
		code  int
		field string
	}{
		{"/api/v1/connections/nope/scim/requests", http.StatusNotFound, ""},
		{"/api/v1/connections/entra/scim/requests?limit=0", http.StatusBadRequest, "limit"},
		{"/api/v1/connections/entra/scim/requests?limit=501", http.StatusBadRequest, "limit"},
		{"/api/v1/connections/entra/scim/requests?before=x", http.StatusBadRequest, "before"},
	} {
		code, body := c.api("GET", tt.path, "")
		if code != tt.code || (tt.field != "" && !strings.Contains(body, `"field": "`+tt.field+`"`)) {
			t.Errorf("GET %s = %d %s, want %d naming %q", tt.path, code, body, tt.code, tt.field)
		}
	}
	// One entry by the request id an outcome names; never another
	// connection's.
	logSCIM(t, e, "okta", store.SCIMRequest{RequestID: "o1", Connection: "okta", At: at, Method: "GET", Path: "/Users", Status: 200})
	code, body := c.api("GET", "/api/v1/connections/entra/scim/requests/a1", "")
	if code != http.StatusOK || !strings.Contains(body, `"requestId": "a1"`) || !strings.Contains(body, "[redacted]") {
		t.Fatalf("GET entry a1: %d %s", code, body)
	}
	for _, p := range []string{"/api/v1/connections/entra/scim/requests/o1", "/api/v1/connections/entra/scim/requests/nope", "/api/v1/connections/okta/scim/requests/a1"} {
		if code, body := c.api("GET", p, ""); code != http.StatusNotFound {
			t.Errorf("GET %s = %d %s, want 404", p, code, body)
		}
	}
	if code, _ := e.anonymous().call("GET", "/api/v1/connections/entra/scim/requests", "", "", nil); code != http.StatusUnauthorized {
		t.Errorf("without a session: %d, want 401", code)
	}
}

// The UI page lists a connection's requests with their bodies and filters
// them by user; values are escaped, not markup.
func TestSCIMRequestsPage(t *testing.T) {
	e := newTestEnv(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	logSCIM(t, e, "entra",
		store.SCIMRequest{RequestID: "r-ann", Connection: "entra", At: at, Method: "POST", Path: "/Users", Status: 201, UserName: "ann@example.com",
			Body: `{"displayName":"<script>alert(1)</script>"}`},
		store.SCIMRequest{RequestID: "r-ben", Connection: "entra", At: at, Method: "POST", Path: "/Users", Status: 409, UserName: "ben@example.com"},
	)
	c := e.login()
	body := c.get("/connections/entra/scim/requests", http.StatusOK)
	if !strings.Contains(body, "r-ann") || !strings.Contains(body, "r-ben") || strings.Contains(body, "<script>alert") {
		t.Fatalf("page:\n%s", body)
	}
	body = c.get("/connections/entra/scim/requests?user=ben@example.com", http.StatusOK)
	if strings.Contains(body, "r-ann") || !strings.Contains(body, "r-ben") {
		t.Fatalf("filtered page:\n%s", body)
	}
	c.get("/connections/nope/scim/requests", http.StatusNotFound)
	// Each request id leads to its entry alone, body open.
	if !strings.Contains(body, `href="/connections/entra/scim/requests/r-ben"`) {
		t.Fatalf("the request id does not link to its entry:\n%s", body)
	}
	body = c.get("/connections/entra/scim/requests/r-ann", http.StatusOK)
	if !strings.Contains(body, "r-ann") || strings.Contains(body, "r-ben") || !strings.Contains(body, "<details open>") {
		t.Fatalf("entry page:\n%s", body)
	}
	c.get("/connections/okta/scim/requests/r-ann", http.StatusNotFound)

	// The connections page leads to the log of a SCIM connection only.
	if _, _, err := e.app.ApplyConnection(context.Background(), []byte(`{"name":"okta","systemType":"scim"}`)); err != nil {
		t.Fatal(err)
	}
	body = c.get("/connections", http.StatusOK)
	if !strings.Contains(body, `href="/connections/okta/scim/requests"`) || strings.Contains(body, `href="/connections/entra/scim/requests"`) {
		t.Fatalf("connections page links:\n%s", body)
	}
}
