package acceptance

import (
	"bytes"
	"context"

	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
	token := strings.TrimSpace(a.must("token", "create", "acceptance"))
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
		"USERSYNC_ADMIN_PASSWORD=Acceptance-Admin-1")
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
