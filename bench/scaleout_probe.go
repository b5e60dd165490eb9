package main

// The scale-out bench's probes: the driver that keeps the connections
// busy, the checks that nothing ran twice, and the CPU readings.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/testdir/slapd"
)

// driver asks the scheduler for full runs through the store, as `usersync
// schedule run --full` does, and asks again only once the run it asked for
// has started and ended: each request is then one run.
type driver struct {
	db      *sql.DB
	names   []string
	request func(name string) error
	asked   int
	// lost counts requests that no run followed: taken by an instance
	// that then did not run them.
	lost  int
	state map[string]*asked
}

// asked is the driver's latest request of one connection.
type asked struct {
	at   time.Time
	runs int // the connection's runs when it was asked
}

// connState is what the store says of one connection.
type connState struct {
	runs, running int
	pending       bool
}

func (d *driver) ask(name string, runs int) error {
	if d.state == nil {
		d.state = map[string]*asked{}
	}
	d.asked++
	d.state[name] = &asked{at: time.Now(), runs: runs}
	return d.request(name)
}

// done reports whether the run asked for has ended; a request that no run
// followed within fifteen seconds is counted lost and asked again.
func (d *driver) done(name string, st connState) (bool, error) {
	a := d.state[name]
	switch {
	case st.pending || st.running > 0:
		return false, nil
	case st.runs > a.runs:
		return true, nil
	case time.Since(a.at) > 15*time.Second:
		d.lost++
		return false, d.ask(name, st.runs)
	}
	return false, nil
}

// finished counts the connections whose requested run has ended.
func (d *driver) finished(ctx context.Context) (int, error) {
	states, err := d.states(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range d.names {
		ok, err := d.done(name, states[name])
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// keepBusy asks again for every connection whose run has ended.
func (d *driver) keepBusy(ctx context.Context) error {
	states, err := d.states(ctx)
	if err != nil {
		return err
	}
	for _, name := range d.names {
		ok, err := d.done(name, states[name])
		if err != nil {
			return err
		}
		if ok {
			if err := d.ask(name, states[name].runs); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *driver) states(ctx context.Context) (map[string]connState, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT s.connection,
		(SELECT count(*) FROM runs r WHERE r.connection = s.connection),
		(SELECT count(*) FROM runs r WHERE r.connection = s.connection AND r.status = 'running'),
		s.run_requested_at IS NOT NULL
		FROM schedule_state s`)
	if err != nil {
		return nil, fmt.Errorf("connection states: %w", err)
	}
	defer rows.Close()
	states := map[string]connState{}
	for rows.Next() {
		var name string
		var st connState
		if err := rows.Scan(&name, &st.runs, &st.running, &st.pending); err != nil {
			return nil, err
		}
		states[name] = st
	}
	return states, rows.Err()
}

// runsByServe reads, from each serve's log, the runs it finished and how
// many requests it took but skipped because another instance held the
// connection.
func runsByServe(procs []serveProc) ([][]int64, int, error) {
	var ran [][]int64
	skipped := 0
	for _, p := range procs {
		raw, err := os.ReadFile(p.log)
		if err != nil {
			return nil, 0, err
		}
		var ids []int64
		for _, line := range bytes.Split(raw, []byte("\n")) {
			var l struct {
				Msg string `json:"msg"`
				Run int64  `json:"run"`
			}
			if json.Unmarshal(line, &l) != nil {
				continue
			}
			switch {
			case l.Msg == "background sync finished":
				ids = append(ids, l.Run)
			case strings.HasPrefix(l.Msg, "run skipped"):
				skipped++
			}
		}
		ran = append(ran, ids)
	}
	return ran, skipped, nil
}

// checkOnce fails when a run was reported by two instances, or when two
// runs of one connection overlapped in time.
func checkOnce(ctx context.Context, db *sql.DB, ran [][]int64) error {
	seen := map[int64]int{}
	for i, ids := range ran {
		for _, id := range ids {
			if j, ok := seen[id]; ok {
				return fmt.Errorf("run %d finished by instances %d and %d", id, j+1, i+1)
			}
			seen[id] = i
		}
	}
	var overlaps int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM runs a JOIN runs b
		ON a.connection = b.connection AND a.id < b.id
		AND b.started_at < coalesce(a.finished_at, 'infinity')`).Scan(&overlaps)
	if err != nil {
		return fmt.Errorf("count overlapping runs: %w", err)
	}
	if overlaps > 0 {
		return fmt.Errorf("%d pairs of runs of one connection overlapped", overlaps)
	}
	return nil
}

// cpuSample is the CPU time used so far by the serve processes, slapd and
// the PostgreSQL backends serving the trial's database.
type cpuSample struct {
	serve []time.Duration
	slapd time.Duration
	pg    pgCPU
}

// since sums what every backend used after the earlier sample (a backend
// started in between counts in full).
func (pg pgCPU) since(before pgCPU) time.Duration {
	var d time.Duration
	for pid, t := range pg {
		d += t - before[pid]
	}
	return d
}

// pgCPU is the CPU time of each PostgreSQL backend, by process id.
type pgCPU map[int]time.Duration

func sampleCPU(procs []serveProc, srv *slapd.Server, dbURL string) cpuSample {
	var s cpuSample
	for _, p := range procs {
		s.serve = append(s.serve, procCPU(p.cmd.Process.Pid))
	}
	if raw, err := os.ReadFile(filepath.Join(srv.Dir, "slapd.pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil {
			s.slapd = procCPU(pid)
		}
	}
	s.pg = pgCPU{}
	db := dbURL[strings.LastIndex(dbURL, "/")+1:]
	db, _, _ = strings.Cut(db, "?")
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// A backend's command line names its database: "postgres: USER DB HOST …".
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.HasPrefix(cmdline, []byte("postgres: ")) || !bytes.Contains(cmdline, []byte(" "+db+" ")) {
			continue
		}
		s.pg[pid] = procCPU(pid)
	}
	return s
}

// procCPU reads a process's user and system time from /proc (clock ticks
// of 10 ms, the Linux default).
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(raw))
	return strings.Join(f[:min(3, len(f))], " ")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func tailFile(path string) string {
	raw, _ := os.ReadFile(path)
	return lastLines(string(raw), 5)
}
