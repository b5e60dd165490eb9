package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/demodir"
	"github.com/usersync/usersync/internal/testdir/apptest"
)

// testAdminPassword is the administrator's password in tests.
const testAdminPassword = "Adm1n-Test-Passw0rd"

// testEnv is a running server on a fresh store.
type testEnv struct {
	t   *testing.T
	app *app.App
	web *Server
	srv *httptest.Server
}

// newTestEnv starts a server; each setup function may change the
// application (wrap its store, say) before the server sees it.
func newTestEnv(t *testing.T, setup ...func(*app.App)) *testEnv {
	t.Helper()
	a := apptest.Open(t, "", slog.New(slog.NewTextHandler(testLogWriter(t), nil)))
	for _, f := range setup {
		f(a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := a.EnsureAdmin(ctx, testAdminPassword, io.Discard); err != nil {
		t.Fatal(err)
	}
	w, err := New(ctx, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		w.Wait()
	})
	return &testEnv{t: t, app: a, web: w, srv: srv}
}

// startDemoDir starts the built-in sample directory for one test.
func startDemoDir(t *testing.T) *demodir.Server {
	t.Helper()
	d, err := demodir.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop() })
	return d
}

// client is a logged-in browser-like client.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

var csrfRE = regexp.MustCompile(`data-csrf="([^"]+)"`)
var loginCSRFRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// anonymous returns a client without a session that does not follow
// redirects.
func (e *testEnv) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, base: e.srv.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login logs in as admin through the login form.
func (e *testEnv) login() *client {
	e.t.Helper()
	c := e.anonymous()
	body := c.get("/login", http.StatusOK)
	m := loginCSRFRE.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("login page has no CSRF field:\n%s", body)
	}
	resp := c.do("POST", "/login", "application/x-www-form-urlencoded",
		url.Values{"username": {AdminName}, "password": {testAdminPassword}, "csrf": {m[1]}}.Encode(), nil)
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login: %d", resp.StatusCode)
	}
	page := c.get("/", http.StatusOK)
	if m := csrfRE.FindStringSubmatch(page); m != nil {
		c.csrf = m[1]
	} else {
		e.t.Fatal("no CSRF token on the dashboard")
	}
	return c
}

func (c *client) do(method, path, ctype, body string, hdr map[string]string) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

// call sends a request and returns its status and body.
func (c *client) call(method, path, ctype, body string, hdr map[string]string) (int, string) {
	c.t.Helper()
	resp := c.do(method, path, ctype, body, hdr)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// api calls the API with the session and its CSRF header.
func (c *client) api(method, path, body string) (int, string) {
	c.t.Helper()
	return c.call(method, path, "application/json", body, map[string]string{csrfHeader: c.csrf})
}

// get fetches a page and checks its status.
func (c *client) get(path string, want int) string {
	c.t.Helper()
	code, body := c.call("GET", path, "", "", nil)
	if code != want {
		c.t.Fatalf("GET %s: %d, want %d\n%s", path, code, want, body)
	}
	return body
}

// form posts a form with the session's CSRF token.
func (c *client) form(path string, v url.Values) (int, string) {
	c.t.Helper()
	v.Set(csrfField, c.csrf)
	return c.call("POST", path, "application/x-www-form-urlencoded", v.Encode(), nil)
}

type tlog struct{ t *testing.T }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(strings.TrimSpace(string(p))); return len(p), nil }

func testLogWriter(t *testing.T) io.Writer {
	if testing.Verbose() {
		return tlog{t}
	}
	return io.Discard
}

// regexp1 returns the first group of re in s, or "".
func regexp1(re, s string) string {
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
