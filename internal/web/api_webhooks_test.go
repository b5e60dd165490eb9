package web

import (
	"encoding/json"
	"strings"
	"testing"
)

// Webhook subscriptions are managed through the API: the secret is shown
// once at creation and never again, bad input names its field, a name is
// unique, and a subscription can be redelivered and removed.
func TestAPIWebhooks(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	code, body := c.api("POST", "/api/v1/webhooks", `{"name":"app","url":"https://app.example/hook","kinds":["user.created"]}`)
	var created struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	_ = json.Unmarshal([]byte(body), &created)
	if code != 201 || !strings.HasPrefix(created.Secret, "whsec_") {
		t.Fatalf("create: %d %s", code, body)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"name":"x","url":"http://app.example/hook"}`, "url"},
		{`{"name":"","url":"https://app.example/hook"}`, "name"},
		{`{"name":"x","url":"https://app.example/hook","kinds":["user.exploded"]}`, "kinds"},
	} {
		if code, body := c.api("POST", "/api/v1/webhooks", bad.body); code != 400 || !strings.Contains(body, `"field": "`+bad.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", bad.body, code, body, bad.field)
		}
	}
	if code, body := c.api("POST", "/api/v1/webhooks", `{"name":"app","url":"https://other.example/"}`); code != 409 {
		t.Errorf("a second webhook named app: %d %s, want 409", code, body)
	}
	code, body = c.api("GET", "/api/v1/webhooks", "")
	if code != 200 || strings.Contains(body, created.Secret) || strings.Contains(body, "sealed") || !strings.Contains(body, `"name": "app"`) {
		t.Fatalf("list: %d %s", code, body)
	}
	id := itoa64(created.ID)
	if code, body := c.api("POST", "/api/v1/webhooks/"+id+"/redeliver?from=0", ""); code != 200 || !strings.Contains(body, `"position": 0`) {
		t.Fatalf("redeliver: %d %s", code, body)
	}
	if code, body := c.api("DELETE", "/api/v1/webhooks/"+id, ""); code != 204 {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, _ := c.api("DELETE", "/api/v1/webhooks/"+id, ""); code != 404 {
		t.Fatalf("delete again: %d, want 404", code)
	}
}
