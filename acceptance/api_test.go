package acceptance

import (
	"bytes"
	"context"

	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// apiClient talks to a `usersync serve` started on the admin's store.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

// serve starts `usersync serve` on a free loopback port without the
// scheduler, and returns a client holding an API token. The server stops
// when the test ends.
func (a *admin) serve() *apiClient {
	a.t.Helper()
	token := strings.TrimSpace(a.must("token", "create", "acceptance", "--scope", "admin"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, binary, "serve", "--listen", addr, "--ops-listen", "", "--no-scheduler", "--db", a.db)
	cmd.Dir = a.dir
	cmd.Env = append(os.Environ(), "USERSYNC_SECRET_KEY=", "USERSYNC_SECRET_KEY_FILE="+filepath.Join(a.dir, "usersync.key"),
		"USERSYNC_ADMIN_PASSWORD="+adminPassword)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if a.t.Failed() {
			a.t.Logf("usersync serve output:\n%s", logs.String())
		}
	})
	c := &apiClient{t: a.t, base: "http://" + addr, token: token}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.base + "/api/openapi.json")
		if err == nil {
			resp.Body.Close()
			return c
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("usersync serve did not answer on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// do sends a request with the token and returns the status and body.
func (c *apiClient) do(method, path, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if testing.Verbose() {
		c.t.Logf("%s %s → %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, string(b)
}

// must sends a request that must answer with want.
func (c *apiClient) must(want int, method, path, body string) string {
	c.t.Helper()
	code, out := c.do(method, path, body)
	if code != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, code, want, out)
	}
	return out
}

// adminPassword is the first-run administrator's password serve is given.
const adminPassword = "Acceptance-Admin-1"

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs in to the web UI as the first-run administrator, as a browser
// does (login form, CSRF token, session cookie), and returns the client.
func (c *apiClient) login() *http.Client {
	c.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		c.t.Fatal(err)
	}
	hc := &http.Client{Jar: jar}
	resp, err := hc.Get(c.base + "/login")
	if err != nil {
		c.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		c.t.Fatalf("login page has no CSRF token:\n%s", page)
	}
	resp, err = hc.PostForm(c.base+"/login", url.Values{"username": {"admin"}, "password": {adminPassword}, "csrf": {string(m[1])}})
	if err != nil {
		c.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(body), `name="password"`) {
		c.t.Fatalf("login: %d\n%s", resp.StatusCode, body)
	}
	return hc
}

// page fetches a UI page with a logged-in client.
func (c *apiClient) page(hc *http.Client, path string) string {
	c.t.Helper()
	resp, err := hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		c.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}
