// Package ops holds the operational HTTP handlers that `usersync serve` and
// `usersync run-scheduler --listen` mount: /metrics in the Prometheus text
// format, /healthz and /readyz.
package ops

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// StatsSource is what /metrics reads from the store at each scrape, so that
// the counters always match the run history (store.Store implements it).
type StatsSource interface {
	RunStats(ctx context.Context) ([]store.RunStat, error)
	UserCounts(ctx context.Context) ([]store.UserCount, error)
}

// Metrics serves /metrics. Run and user figures come from the store at
// scrape time; live-mode figures are kept in memory by ObserveLive.
//
// The counters are totals over the retained run history: when retention
// prunes old runs they go down, which Prometheus treats as a counter reset.
type Metrics struct {
	Source StatsSource

	mu          sync.Mutex
	liveLag     map[string]time.Duration
	liveChanges map[string]int64
}

// ObserveLive records that a live batch of changes of a connection was
// applied lag after the first of them arrived.
func (m *Metrics) ObserveLive(conn string, lag time.Duration, changes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.liveLag == nil {
		m.liveLag, m.liveChanges = map[string]time.Duration{}, map[string]int64{}
	}
	m.liveLag[conn] = lag
	m.liveChanges[conn] += int64(changes)
}

// ServeHTTP writes the metrics in the Prometheus text exposition format
// (version 0.0.4), written by hand: the format is simple and a client
// library would be the only dependency for it.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	runs, err := m.Source.RunStats(ctx)
	if err != nil {
		http.Error(w, "usersync: metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	users, err := m.Source.UserCounts(ctx)
	if err != nil {
		http.Error(w, "usersync: metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.write(w, runs, users)
}

func (m *Metrics) write(w io.Writer, runs []store.RunStat, users []store.UserCount) {
	family(w, "usersync_runs_total", "counter", "Runs in the run history, by connection, trigger and status.")
	for _, r := range runs {
		sample(w, "usersync_runs_total", runLabels(r), float64(r.Runs))
	}
	family(w, "usersync_run_duration_seconds_total", "counter", "Total duration of the runs in the run history.")
	for _, r := range runs {
		sample(w, "usersync_run_duration_seconds_total", runLabels(r), float64(r.DurationMs)/1000)
	}
	family(w, "usersync_entries_read_total", "counter", "Directory entries read by the runs in the run history.")
	for _, r := range runs {
		sample(w, "usersync_entries_read_total", runLabels(r), float64(r.EntriesRead))
	}
	family(w, "usersync_users", "gauge", "Users in the store by connection (empty for local users) and status.")
	for _, u := range users {
		sample(w, "usersync_users", [][2]string{{"connection", u.Connection}, {"status", u.Status}}, float64(u.Users))
	}
	m.mu.Lock()
	names := make([]string, 0, len(m.liveLag))
	for n := range m.liveLag {
		names = append(names, n)
	}
	sort.Strings(names)
	family(w, "usersync_live_lag_seconds", "gauge", "Time from receiving the last live change to having applied it.")
	for _, n := range names {
		sample(w, "usersync_live_lag_seconds", [][2]string{{"connection", n}}, m.liveLag[n].Seconds())
	}
	family(w, "usersync_live_changes_total", "counter", "Live changes applied since this process started.")
	for _, n := range names {
		sample(w, "usersync_live_changes_total", [][2]string{{"connection", n}}, float64(m.liveChanges[n]))
	}
	m.mu.Unlock()
}

func runLabels(r store.RunStat) [][2]string {
	return [][2]string{{"connection", r.Connection}, {"trigger", r.Trigger}, {"status", r.Status}}
}

func family(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func sample(w io.Writer, name string, labels [][2]string, v float64) {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l[0] + `="` + labelEscaper.Replace(l[1]) + `"`
	}
	fmt.Fprintf(w, "%s{%s} %g\n", name, strings.Join(parts, ","), v)
}
