package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
)

func TestExplainAPIAndBox(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	c := e.login()
	_, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`)
	waitRun(t, c, regexp1(`"runId": (\d+)`, body))
	_, body = c.api("GET", "/api/v1/users?limit=1", "")
	who := regexp1(`"userId": "([^"]+)"`, body)
	if who == "" {
		t.Fatalf("no user: %s", body)
	}

	explain := func(q string) []app.Explanation {
		t.Helper()
		code, body := c.api("GET", "/api/v1/users/explain?"+q, "")
		var exs []app.Explanation
		if err := json.Unmarshal([]byte(body), &exs); code != 200 || err != nil || len(exs) != 1 {
			t.Fatalf("explain %s: %d %v %s", q, code, err, body)
		}
		return exs
	}
	if ex := explain("user=" + url.QueryEscape(who))[0]; ex.Verdict != app.VerdictSynced || ex.User == nil || ex.DN == "" {
		t.Fatalf("explain %s: %+v", who, ex)
	}
	if ex := explain("connection=demo&user=nobody-here")[0]; ex.Verdict != app.VerdictNotInDirectory {
		t.Fatalf("explain nobody: %+v", ex)
	}
	if code, body := c.api("GET", "/api/v1/users/explain", ""); code != 400 || !strings.Contains(body, `"field": "user"`) {
		t.Fatalf("no user: %d %s", code, body)
	}
	// A filter-looking value is a name to look for, not a filter.
	if ex := explain("user=" + url.QueryEscape("*)(uid=*"))[0]; ex.Verdict != app.VerdictNotInDirectory {
		t.Fatalf("explain a filter: %+v", ex)
	}

	page := c.get("/users?explain="+url.QueryEscape(who), 200)
	if !strings.Contains(page, `class="explanation"`) || !strings.Contains(page, "synced") {
		t.Fatalf("explain box:\n%s", page)
	}
}
