package ops_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/ops"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

var sampleRE = regexp.MustCompile(`^([a-z_]+)\{([^}]*)\} ([0-9.e+-]+)$`)

// scrape fetches /metrics and returns its samples keyed by name{labels},
// failing on any line that is not valid text exposition format.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		m := sampleRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a valid sample line: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("bad value in %q", line)
		}
		out[m[1]+"{"+m[2]+"}"] = v
	}
	return out
}

func TestMetricsMatchRunHistory(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs := []struct {
		conn, trigger, status string
		ms                    int64
		read                  int
	}{
		{"corp", store.TriggerSchedule, store.RunSucceeded, 1500, 100},
		{"corp", store.TriggerSchedule, store.RunSucceeded, 500, 100},
		{"corp", store.TriggerManual, store.RunFailed, 250, 3},
		{"corp", store.TriggerLive, store.RunSucceeded, 10, 1},
		{`we"ird`, store.TriggerManual, store.RunSucceeded, 1000, 7},
	}
	for _, r := range runs {
		id, err := st.CreateRun(ctx, store.Run{Connection: r.conn, Trigger: r.trigger, Mode: store.ModeFull, Status: store.RunRunning})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if err := st.UpdateRun(ctx, store.Run{ID: id, Mode: store.ModeFull, Status: r.status, FinishedAt: &now, DurationMs: r.ms, Counts: store.Counts{EntriesRead: r.read}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Apply(ctx, store.Batch{RunID: 1, Connection: "corp", Creates: []store.User{
		{ExternalID: "a", UserID: "a", Status: store.StatusActive}, {ExternalID: "b", UserID: "b", Status: store.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	m := &ops.Metrics{Source: st}
	m.ObserveLive("corp", 150*time.Millisecond, 3)
	srv := httptest.NewServer(ops.Mux(m, ops.Check{Name: "store", Fn: func(context.Context) error { return nil }}))
	defer srv.Close()

	got := scrape(t, srv.URL)
	want := map[string]float64{
		`usersync_runs_total{connection="corp",trigger="schedule",status="succeeded"}`:                 2,
		`usersync_runs_total{connection="corp",trigger="manual",status="failed"}`:                      1,
		`usersync_runs_total{connection="corp",trigger="live",status="succeeded"}`:                     1,
		`usersync_runs_total{connection="we\"ird",trigger="manual",status="succeeded"}`:                1,
		`usersync_run_duration_seconds_total{connection="corp",trigger="schedule",status="succeeded"}`: 2,
		`usersync_entries_read_total{connection="corp",trigger="schedule",status="succeeded"}`:         200,
		`usersync_users{connection="corp",status="active"}`:                                            2,
		`usersync_live_lag_seconds{connection="corp"}`:                                                 0.15,
		`usersync_live_changes_total{connection="corp"}`:                                               3,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// The counters are the run history: their sum is the number of runs.
	history, _ := st.ListRuns(ctx, store.RunQuery{})
	total := 0.0
	for k, v := range got {
		if strings.HasPrefix(k, "usersync_runs_total{") {
			total += v
		}
	}
	if int(total) != len(history) {
		t.Errorf("usersync_runs_total sums to %v, the history holds %d runs", total, len(history))
	}
}

func TestHealthAndReadiness(t *testing.T) {
	ready := errors.New("scheduler not started")
	srv := httptest.NewServer(ops.Mux(&ops.Metrics{}, ops.Check{Name: "scheduler", Fn: func(context.Context) error { return ready }}))
	defer srv.Close()
	tests := []struct {
		path  string
		ready error
		code  int
		body  string
	}{
		{"/healthz", ready, 200, "ok"},
		{"/readyz", ready, 503, "not ready: scheduler: scheduler not started"},
		{"/readyz", nil, 200, "ready"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.path, tt.code), func(t *testing.T) {
			ready = tt.ready
			res, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.code || !strings.Contains(string(body), tt.body) {
				t.Fatalf("%s = %d %q, want %d %q", tt.path, res.StatusCode, body, tt.code, tt.body)
			}
		})
	}
}
