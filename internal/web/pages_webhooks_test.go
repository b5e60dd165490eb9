package web

import (
	"net/url"
	"strings"
	"testing"
)

// The webhooks page adds a subscription and shows its secret once; a bad
// URL is refused naming it, keeping what was typed; redeliver and remove
// work from the list.
func TestWebhooksPage(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	if body := c.get("/webhooks", 200); !strings.Contains(body, "None yet.") {
		t.Fatalf("empty page: %s", body)
	}
	code, body := c.form("/webhooks", url.Values{"name": {"crm"}, "url": {"http://crm.example/hook"}, "kinds": {"user.created, user.updated"}})
	if code != 400 || !strings.Contains(body, "must use https") || !strings.Contains(body, `value="crm"`) || !strings.Contains(body, "user.created, user.updated") {
		t.Fatalf("plain http: %d, want 400 with the typed values kept\n%s", code, body)
	}
	code, body = c.form("/webhooks", url.Values{"name": {"crm"}, "url": {"https://crm.example/hook"}, "kinds": {"user.created"}})
	secret := regexp1(`<code id="webhook-secret">(whsec_[^<]+)</code>`, body)
	if code != 200 || secret == "" || !strings.Contains(body, "https://crm.example/hook") {
		t.Fatalf("add: %d\n%s", code, body)
	}
	body = c.get("/webhooks", 200)
	if strings.Contains(body, secret) || !strings.Contains(body, "user.created") {
		t.Fatalf("the list shows the secret again, or not the webhook:\n%s", body)
	}
	ws, _ := e.app.Store.ListWebhooks(t.Context())
	if len(ws) != 1 {
		t.Fatalf("%d webhooks stored", len(ws))
	}
	id := itoa64(ws[0].ID)
	if code, body := c.form("/webhooks/"+id+"/redeliver", url.Values{}); code != 303 && code != 200 {
		t.Fatalf("redeliver: %d %s", code, body)
	}
	if code, body := c.form("/webhooks/"+id+"/delete", url.Values{}); code != 303 && code != 200 {
		t.Fatalf("delete: %d %s", code, body)
	}
	if ws, _ := e.app.Store.ListWebhooks(t.Context()); len(ws) != 0 {
		t.Fatalf("%d webhooks after remove", len(ws))
	}
}
