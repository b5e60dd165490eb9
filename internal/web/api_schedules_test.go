package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
)

func TestSchedulesAPI(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	c := e.login()
	// A run first, so the last execution date is known.
	_, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`)
	waitRun(t, c, regexp1(`"runId": (\d+)`, body))

	list := func() []app.ScheduleInfo {
		t.Helper()
		code, body := c.api("GET", "/api/v1/schedules", "")
		var out []app.ScheduleInfo
		if err := json.Unmarshal([]byte(body), &out); code != 200 || err != nil || len(out) != 1 {
			t.Fatalf("list: %d %v %s", code, err, body)
		}
		return out
	}
	si := list()[0]
	if si.Connection != "demo" || si.Paused || si.LastRun == nil || si.LastRun.StartedAt.IsZero() {
		t.Fatalf("schedule: %+v", si)
	}
	act := func(action string, paused bool) app.ScheduleInfo {
		t.Helper()
		code, body := c.api("POST", "/api/v1/connections/demo/schedule/"+action, "")
		var got app.ScheduleInfo
		if err := json.Unmarshal([]byte(body), &got); code != 200 || err != nil || got.Paused != paused {
			t.Fatalf("%s: %d %v %s", action, code, err, body)
		}
		return got
	}
	if got := act("pause", true); got.NextRun != nil {
		t.Fatalf("a paused schedule has a next run: %v", got.NextRun)
	}
	if !list()[0].Paused {
		t.Fatal("pause not kept")
	}
	act("resume", false)
	if got := act("run", false); !got.RunRequested {
		t.Fatal("run now not requested")
	}
	act("pause", true)
	if got := act("restart", false); !got.RunRequested {
		t.Fatal("restart does not request a run")
	}
	if code, _ := c.api("POST", "/api/v1/connections/nope/schedule/pause", ""); code != 400 && code != 404 {
		t.Fatalf("unknown connection: %d", code)
	}

	// The page shows the last execution date and its buttons work.
	page := c.get("/schedules", 200)
	if !strings.Contains(page, `id="sched-demo"`) || !strings.Contains(page, "/runs/"+itoa64(si.LastRun.ID)) {
		t.Fatalf("schedules page:\n%s", page)
	}
	if code, _ := c.form("/schedules/demo", url.Values{"action": {"pause"}}); code != 303 {
		t.Fatalf("pause form: %d", code)
	}
	if !list()[0].Paused {
		t.Fatal("pause form did not pause")
	}
	if code, body := c.form("/schedules/demo", url.Values{"action": {"explode"}}); code != 400 || !strings.Contains(body, "unknown schedule action") {
		t.Fatalf("bad action: %d", code)
	}
}
