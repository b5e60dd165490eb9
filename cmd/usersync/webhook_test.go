package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/webhook"
)

// hookReceiver is an application's webhook endpoint that can be down.
type hookReceiver struct {
	t      *testing.T
	secret []byte

	mu       sync.Mutex
	down     bool
	requests int
	accepted []int64
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests++
	if err := webhook.Verify(h.secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 0); err != nil {
		h.t.Errorf("delivery %d: %v", h.requests, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if h.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	var d webhook.Delivery
	if err := json.Unmarshal(body, &d); err != nil {
		h.t.Errorf("delivery body: %v", err)
	}
	for _, e := range d.Events {
		h.accepted = append(h.accepted, e.Seq)
	}
}

func (h *hookReceiver) state() (int, []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.requests, append([]int64(nil), h.accepted...)
}

// TestWebhookSurvivesKilledServe: delivery is at least once and in order,
// and survives a crash of usersync between the change and the delivery:
// changes are made while the receiver is down, serve is killed with
// kill -9 before it delivered them, and after a restart the receiver gets
// every event, in order, each delivery signed.
func TestWebhookSurvivesKilledServe(t *testing.T) {
	c := newCLI(t)
	t.Setenv("USERSYNC_LOG_LEVEL", "warn")
	t.Setenv(app.EnvWebhookLoopbackHTTP, "1")
	rc := &hookReceiver{t: t, down: true}
	srv := httptest.NewServer(rc)
	defer srv.Close()

	if out, code := c.run("webhook", "add", "app", "--url", "http://example.com/hook"); code != exitUsage || !strings.Contains(out, "url: must use https") {
		t.Fatalf("a plain-http webhook: exit %d %s, want 2 naming url", code, out)
	}
	out, code := c.run("webhook", "add", "app", "--url", srv.URL+"/hook", "--kind", "user.created", "--kind", "user.updated")
	if code != 0 {
		t.Fatalf("webhook add: %d %s", code, out)
	}
	secret := strings.Fields(out)[0]
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("webhook add printed %q, want the secret first", out)
	}
	rc.secret = []byte(secret)
	if out := c.mustRun("webhook", "list", "--json"); strings.Contains(out, secret) || !strings.Contains(out, `"name": "app"`) {
		t.Fatalf("webhook list shows the secret or not the webhook: %s", out)
	}

	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	serve := func() *exec.Cmd {
		cmd, _ := c.child("serve", "--listen", "127.0.0.1:0", "--ops-listen", "", "--no-scheduler")
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		})
		return cmd
	}
	cmd := serve()
	ctx := context.Background()
	for i := range 5 {
		id, err := a.Store.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("user%d", i), Status: store.StatusActive})
		if err != nil {
			t.Fatal(err)
		}
		c.mustRun("users", "set", fmt.Sprint(id), "title", "T")
	}
	// The deliverer tried, failed and recorded it: the changes are
	// committed, their delivery is not. Kill serve there.
	deadline := time.Now().Add(time.Minute)
	for {
		ws, err := a.Store.ListWebhooks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) == 1 && ws[0].Attempts > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve never tried to deliver")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ws, _ := a.Store.ListWebhooks(ctx)
	if len(ws) != 1 || ws[0].Attempts == 0 || ws[0].LastStatus != http.StatusServiceUnavailable || ws[0].NextAttemptAt.IsZero() {
		t.Fatalf("after a failed attempt the subscription is %+v, want a retry scheduled", ws)
	}
	if out := c.mustRun("webhook", "list"); !strings.Contains(out, "retry") || !strings.Contains(out, "503") {
		t.Fatalf("webhook list does not show the retry: %s", out)
	}
	rc.mu.Lock()
	rc.down = false
	rc.mu.Unlock()

	serve()
	es, err := a.Store.ListEvents(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, e := range es {
		if e.Kind == store.EventUserCreated || e.Kind == store.EventUserUpdated {
			want = append(want, e.Seq)
		}
	}
	deadline = time.Now().Add(90 * time.Second)
	for _, got := rc.state(); len(got) < len(want); _, got = rc.state() {
		if time.Now().After(deadline) {
			t.Fatalf("after the restart the receiver has %v, want %v", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, got := rc.state(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the receiver got %v, want exactly %v in order", got, want)
	}
}
