package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestDeleteConnectionWhileRunning: a connection is never deleted under a
// run of it. Through the API and the connections page, while another
// instance holds the connection's run lease, the delete is refused as a
// conflict naming the holder, and the connection stays.
func TestDeleteConnectionWhileRunning(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	doc := `{"friendlyName":"X","dnsName":"127.0.0.1","port":1,"searchPath":"dc=x","password":"p"}`
	if code, body := c.api("PUT", "/api/v1/connections/x", doc); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	const holder = "other-host/pid 1/run 1"
	ctx := context.Background()
	if _, err := e.app.Store.AcquireLease(ctx, "x", holder, time.Minute); err != nil {
		t.Fatalf("acquire lease: %v", err)
	}
	if code, body := c.api("DELETE", "/api/v1/connections/x", ""); code != 409 || !strings.Contains(body, holder) {
		t.Fatalf("API delete while running: %d %s; want 409 naming %q", code, body, holder)
	}
	if code, body := c.form("/connections/x/delete", url.Values{}); code != 409 || !strings.Contains(body, holder) {
		t.Fatalf("page delete while running: %d; want 409 naming %q in %s", code, holder, body)
	}
	if code, _ := c.api("GET", "/api/v1/connections/x", ""); code != 200 {
		t.Fatalf("get after refused deletes: %d, want 200", code)
	}
	if err := e.app.Store.ReleaseLease(ctx, "x", holder); err != nil {
		t.Fatalf("release lease: %v", err)
	}
	if code, _ := c.api("DELETE", "/api/v1/connections/x", ""); code != 204 {
		t.Fatalf("delete after the run ended: %d", code)
	}
}
