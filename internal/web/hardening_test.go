package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// localRequest is a request to the server as a browser on this machine
// sends it (httptest's default host, example.com, is not one the server
// answers for).
func localRequest(method, target string, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, target, body)
	r.Host = "127.0.0.1:8080"
	return r
}

func serve(e *testEnv, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.web.ServeHTTP(w, r)
	return w
}

// A page on another site cannot reach the server by pointing its own DNS
// name at this address: only configured names, loopback names and IP
// literals are answered.
func TestHostHeaderIsChecked(t *testing.T) {
	e := newTestEnv(t)
	e.web.opts.Hosts = []string{"usersync.corp.example"}
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:8080", http.StatusOK},
		{"localhost:8080", http.StatusOK},
		{"[::1]:8080", http.StatusOK},
		{"192.0.2.10", http.StatusOK},
		{"usersync.corp.example", http.StatusOK},
		{"USERSYNC.corp.example.:443", http.StatusOK},
		{"rebind.evil.example:8080", http.StatusMisdirectedRequest},
		{"usersync.corp.example.evil.example", http.StatusMisdirectedRequest},
		{"", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		r := localRequest("GET", "/login", nil)
		r.Host = tt.host
		if got := serve(e, r).Code; got != tt.want {
			t.Errorf("Host %q: %d, want %d", tt.host, got, tt.want)
		}
	}
}

// Under TLS the server sends HSTS and names its cookies with the __Host-
// prefix; over plain HTTP (loopback) it does neither.
func TestTLSHeadersAndCookieNames(t *testing.T) {
	e := newTestEnv(t)
	r := localRequest("GET", "/login", nil)
	w := serve(e, r)
	if w.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	e.web.opts.Secure = true
	w = serve(e, localRequest("GET", "/login", nil))
	if got := w.Header().Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q under TLS", got)
	}
	cs := w.Result().Cookies()
	if len(cs) == 0 {
		t.Fatal("the login page set no cookie")
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s (secure %v, path %q, domain %q) breaks the __Host- rules", c.Name, c.Secure, c.Path, c.Domain)
		}
	}
}

// Static assets are served, their directory is not listed.
func TestStaticIsNotListed(t *testing.T) {
	e := newTestEnv(t)
	if w := serve(e, localRequest("GET", "/static/", nil)); w.Code != http.StatusNotFound {
		t.Errorf("GET /static/: %d, want 404\n%s", w.Code, w.Body.String())
	}
	body := serve(e, localRequest("GET", "/login", nil)).Body.String()
	i := strings.Index(body, "/static/")
	if i < 0 {
		t.Fatal("the login page links no static asset")
	}
	asset := body[i:]
	asset = asset[:strings.IndexAny(asset, `"'`)]
	if w := serve(e, localRequest("GET", asset, nil)); w.Code != http.StatusOK {
		t.Errorf("GET %s: %d, want 200", asset, w.Code)
	}
}
