package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/events"
)

// GET /api/v1/events?after=SEQ&limit=N returns the events after SEQ in
// order to a read token; a client that stores `next` and asks after it
// never sees an event twice; bad parameters name the field; a position
// older than the retention answers 410 rather than a silent gap.
func TestAPIEvents(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	_, body := c.api("POST", "/api/v1/tokens", `{"name":"feed","scope":"read"}`)
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token: %s", body)
	}
	read := func(q string) (int, events.Page, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/events"+q, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&raw)
		var p events.Page
		_ = json.Unmarshal(raw, &p)
		return resp.StatusCode, p, string(raw)
	}
	if code, p, body := read(""); code != 200 || len(p.Events) != 0 || p.Next != 0 || !strings.Contains(body, `"events": []`) {
		t.Fatalf("empty feed: %d %s", code, body)
	}
	for _, name := range []string{"ann", "bob", "cy"} {
		if code, body := c.api("POST", "/api/v1/local-users", `{"userId":"`+name+`","password":"a long enough password 1"}`); code != 201 {
			t.Fatalf("create local user: %d %s", code, body)
		}
	}
	code, p, body := read("?after=0&limit=2")
	if code != 200 || len(p.Events) != 2 || p.Events[0].Kind != "user.created" || p.Events[0].User.UserID != "ann" || p.Next != p.Events[1].Seq {
		t.Fatalf("first page: %d %s", code, body)
	}
	if strings.Contains(body, "password") {
		t.Fatalf("an event shows a password: %s", body)
	}
	code, p2, body := read("?after=" + itoa64(p.Next) + "&limit=2")
	if code != 200 || len(p2.Events) != 1 || p2.Events[0].User.UserID != "cy" {
		t.Fatalf("second page: %d %s", code, body)
	}
	for _, bad := range []string{"?after=-1", "?after=x", "?limit=-5"} {
		code, _, body := read(bad)
		field := strings.Split(strings.TrimPrefix(bad, "?"), "=")[0]
		if code != 400 || !strings.Contains(body, `"field": "`+field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", bad, code, body, field)
		}
	}
	if _, err := e.app.Store.PruneEvents(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if code, _, body := read("?after=0"); code != http.StatusGone || !strings.Contains(body, `"code": "events_pruned"`) {
		t.Fatalf("after a pruned position: %d %s, want 410 events_pruned", code, body)
	}
	if code, p, body := read("?after=" + itoa64(p2.Next)); code != 200 || len(p.Events) != 0 {
		t.Fatalf("after the last pruned: %d %s", code, body)
	}
}
