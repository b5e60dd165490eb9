package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	pgstore "github.com/usersync/usersync/internal/store/postgres"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// scaleoutConfig sizes the scale-out bench: conns connections, each reading
// its own subtree of users users, kept busy for window.
type scaleoutConfig struct {
	conns     int
	users     int
	window    time.Duration
	instances []int
	// pool, when not zero, sets each serve's PostgreSQL pool size
	// (pool_max_conns; pgx's default is the larger of 4 and the CPUs).
	pool int
	// tick, when not zero, is each serve's --tick (how often its scheduler
	// looks for requests; default 1s).
	tick time.Duration
}

// scaleoutResult is one trial: instances `serve` processes on a fresh
// database.
type scaleoutResult struct {
	Instances int `json:"instances"`
	Pool      int `json:"poolMaxConns,omitempty"`
	// Load is the first full sync of every connection into the empty
	// store, all requested at once: its makespan and the users created.
	LoadWall  time.Duration `json:"loadWallNs"`
	LoadUsers int           `json:"loadUsers"`
	// The window: every connection is asked for a full re-sync again as
	// soon as its previous run has ended.
	Window    time.Duration   `json:"windowNs"`
	Runs      int             `json:"runs"`
	UsersRead int             `json:"usersRead"`
	Requested int             `json:"requested"`
	PerServe  []int           `json:"runsPerServe"`
	ServeCPU  []time.Duration `json:"serveCpuNs"`
	SlapdCPU  time.Duration   `json:"slapdCpuNs"`
	PgCPU     time.Duration   `json:"postgresCpuNs"`
	// RunMs is the mean duration of the window's runs, and GapMs the mean
	// time from a run's end to the start of its connection's next one
	// (the driver's poll, the request and the scheduler's tick).
	RunMs      float64 `json:"meanRunMs"`
	GapMs      float64 `json:"meanGapMs"`
	Skipped    int     `json:"skipped"`
	Lost       int     `json:"lostRequests"`
	Load1Start string  `json:"loadAvgStart"`
	Load1End   string  `json:"loadAvgEnd"`
}

// benchScaleOut measures runs per minute and users per second of one
// `usersync serve` against several on one PostgreSQL database, a fresh
// database for each trial, against one slapd holding a subtree per
// connection.
func benchScaleOut(ctx context.Context, w io.Writer, bin, tmp string, cfg scaleoutConfig) ([]scaleoutResult, error) {
	fmt.Fprintf(os.Stderr, "bench: scale-out: loading %d subtrees of %d users\n", cfg.conns, cfg.users)
	ldif := filepath.Join(tmp, "scaleout.ldif")
	if err := writeSubtrees(ldif, cfg.conns, cfg.users); err != nil {
		return nil, err
	}
	srv, err := slapd.New(ctx, filepath.Join(tmp, "slapd-scaleout"), slapd.Options{LDIFFile: ldif})
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	os.Remove(ldif)
	pg, err := pgtest.Start(ctx)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer pg.Stop()
	var results []scaleoutResult
	for _, k := range cfg.instances {
		r, err := scaleOutTrial(ctx, cfg, bin, filepath.Join(tmp, fmt.Sprintf("scaleout-%d-%d", len(results)+1, k)), srv, pg, k)
		if err != nil {
			return results, fmt.Errorf("%d instances: %w", k, err)
		}
		results = append(results, r)
		printScaleOut(w, cfg, results[len(results)-1:])
	}
	fmt.Fprintln(w)
	printScaleOut(w, cfg, results)
	return results, nil
}

// runScaleOut runs benchScaleOut and writes its figures to
// outDir/scaleout.json.
func runScaleOut(ctx context.Context, cfg scaleoutConfig, bin, tmp, outDir string) error {
	results, err := benchScaleOut(ctx, os.Stdout, bin, tmp, cfg)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(outDir, "scaleout.json"), raw, 0o644)
}

// subtreeDN is the container of connection c's users (1-based).
func subtreeDN(c int) string { return fmt.Sprintf("ou=c%02d,%s", c, slapd.PeopleDN) }

// writeSubtrees writes conns organizational units below ou=people, each
// with users users whose uids are unique across all of them (two
// connections creating the same userIds would race for them, which is not
// what this measures).
func writeSubtrees(path string, conns, users int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	i := 0
	for c := 1; c <= conns; c++ {
		fmt.Fprintf(bw, "dn: %s\nobjectClass: organizationalUnit\nou: c%02d\n\n", subtreeDN(c), c)
		for range users {
			i++
			uid := slapd.UID(i)
			fmt.Fprintf(bw, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: Given%d Family%d\nsn: Family%d\n"+
				"givenName: Given%d\ndisplayName: Given%d Family%d\nmail: %s@example.com\ntitle: Title %d\nemployeeNumber: %d\n\n",
				uid, subtreeDN(c), uid, i, i, i, i, i, i, uid, i%7, i)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// serveProc is one running `usersync serve` and its log file.
type serveProc struct {
	cmd *exec.Cmd
	log string
}

func scaleOutTrial(ctx context.Context, cfg scaleoutConfig, bin, dir string, srv *slapd.Server, pg *pgtest.Cluster, k int) (scaleoutResult, error) {
	res := scaleoutResult{Instances: k, Window: cfg.window, Pool: cfg.pool}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	url, err := pg.CreateDatabase(ctx)
	if err != nil {
		return res, fmt.Errorf("create database: %w", err)
	}
	h := &harness{bin: bin, dir: dir, srv: srv, pgURL: url}
	names := make([]string, cfg.conns)
	for c := range names {
		names[c] = fmt.Sprintf("corp%02d", c+1)
		doc, err := json.Marshal(map[string]any{
			"name": names[c], "friendlyName": names[c], "directoryType": "source", "systemType": "ldap",
			"dnsName": "127.0.0.1", "port": srv.Port, "security": "none",
			"username": slapd.AdminDN, "password": slapd.AdminPassword,
			"searchPath": subtreeDN(c + 1), "searchFilter": "(objectClass=inetOrgPerson)",
			"deletionGuard": map[string]any{"disabled": true},
		})
		if err != nil {
			return res, err
		}
		path := filepath.Join(dir, names[c]+".json")
		if err := os.WriteFile(path, doc, 0o600); err != nil {
			return res, err
		}
		if _, err := timed(h.usersync(ctx, "connection", "apply", "-f", path)); err != nil {
			return res, fmt.Errorf("connection apply %s: %w", names[c], err)
		}
	}
	var procs []serveProc
	defer func() {
		for _, p := range procs {
			if p.cmd.ProcessState == nil {
				_ = p.cmd.Process.Kill()
				_ = p.cmd.Wait()
			}
		}
	}()
	serveURL := url
	if cfg.pool > 0 {
		serveURL += "&pool_max_conns=" + strconv.Itoa(cfg.pool)
	}
	for i := range k {
		p, err := startServe(ctx, &harness{bin: bin, dir: dir, pgURL: serveURL}, filepath.Join(dir, fmt.Sprintf("serve-%d.log", i+1)), cfg.tick)
		if err != nil {
			return res, err
		}
		procs = append(procs, p)
	}
	st, err := pgstore.Open(ctx, url)
	if err != nil {
		return res, err
	}
	defer st.Close()
	db, err := sql.Open("pgx", url)
	if err != nil {
		return res, err
	}
	defer db.Close()
	d := &driver{db: db, names: names, request: func(name string) error { return st.RequestRun(ctx, name, true) }}

	// The load: every connection's first full sync at once.
	t0 := time.Now()
	for _, n := range names {
		if err := d.ask(n, 0); err != nil {
			return res, err
		}
	}
	for {
		done, err := d.finished(ctx)
		if err != nil {
			return res, err
		}
		if done == len(names) {
			break
		}
		if time.Since(t0) > 30*time.Minute {
			return res, fmt.Errorf("load: %d of %d first runs finished after 30 minutes", done, len(names))
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return res, err
		}
	}
	res.LoadWall = time.Since(t0)
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE source = 'directory' AND status = 'active'`).Scan(&res.LoadUsers); err != nil {
		return res, fmt.Errorf("count users: %w", err)
	}
	if res.LoadUsers != cfg.conns*cfg.users {
		return res, fmt.Errorf("after the load the store holds %d active users, want %d", res.LoadUsers, cfg.conns*cfg.users)
	}
	fmt.Fprintf(os.Stderr, "bench: scale-out %d: load of %d users in %.1f s\n", k, res.LoadUsers, res.LoadWall.Seconds())
	// Requests the load phase counted lost (its first runs all start at
	// once) are not the window's.
	d.lost = 0
	// Right after the load the planner has no statistics of the filled
	// tables until autovacuum gets to them (up to a minute later); a
	// server in service has them, so the window starts with them too.
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return res, fmt.Errorf("analyze: %w", err)
	}

	// The window: full re-syncs back to back.
	res.Load1Start = loadAvg()
	cpu0 := sampleCPU(procs, srv, url)
	t1 := time.Now()
	for time.Since(t1) < cfg.window {
		if err := d.keepBusy(ctx); err != nil {
			return res, err
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return res, err
		}
	}
	t2 := time.Now()
	cpu1 := sampleCPU(procs, srv, url)
	res.Load1End = loadAvg()
	res.Window = t2.Sub(t1)
	for i := range procs {
		res.ServeCPU = append(res.ServeCPU, cpu1.serve[i]-cpu0.serve[i])
	}
	res.SlapdCPU, res.PgCPU = cpu1.slapd-cpu0.slapd, cpu1.pg.since(cpu0.pg)
	res.Requested, res.Lost = d.asked, d.lost
	err = db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum((counts->>'entriesRead')::bigint), 0) FROM runs
		WHERE status = 'succeeded' AND finished_at > $1 AND finished_at <= $2`, t1, t2).Scan(&res.Runs, &res.UsersRead)
	if err != nil {
		return res, fmt.Errorf("count runs: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT coalesce(avg(duration_ms), 0) FROM runs
		WHERE status = 'succeeded' AND finished_at > $1 AND finished_at <= $2`, t1, t2).Scan(&res.RunMs)
	if err != nil {
		return res, fmt.Errorf("mean run: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT coalesce(avg(extract(epoch FROM started_at - prev) * 1000), 0) FROM (
		SELECT started_at, lag(finished_at) OVER (PARTITION BY connection ORDER BY id) AS prev FROM runs) r
		WHERE started_at > $1 AND started_at <= $2 AND prev IS NOT NULL`, t1, t2).Scan(&res.GapMs)
	if err != nil {
		return res, fmt.Errorf("mean gap: %w", err)
	}
	for _, p := range procs {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return res, err
		}
	}
	for i, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			return res, fmt.Errorf("serve %d: %w: %s", i+1, err, tailFile(p.log))
		}
	}
	ran, skipped, err := runsByServe(procs)
	if err != nil {
		return res, err
	}
	res.Skipped = skipped
	for _, ids := range ran {
		res.PerServe = append(res.PerServe, len(ids))
	}
	return res, checkOnce(ctx, db, ran)
}

// startServe starts one `usersync serve` on free loopback ports with its
// JSON log in logPath, and waits until its scheduler has started.
func startServe(ctx context.Context, h *harness, logPath string, tick time.Duration) (serveProc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return serveProc{}, err
	}
	defer f.Close()
	args := []string{"serve", "--listen", "127.0.0.1:0", "--ops-listen", ""}
	if tick > 0 {
		args = append(args, "--tick", tick.String())
	}
	cmd := h.usersync(ctx, args...)
	cmd.Env = append(cmd.Env, "USERSYNC_LOG_FORMAT=json", "USERSYNC_LOG_LEVEL=info")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		return serveProc{}, err
	}
	p := serveProc{cmd: cmd, log: logPath}
	for deadline := time.Now().Add(time.Minute); ; {
		raw, _ := os.ReadFile(logPath)
		if bytes.Contains(raw, []byte(`"scheduler started"`)) {
			return p, nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return p, fmt.Errorf("serve did not start its scheduler within a minute: %s", tailFile(logPath))
		}
		if err := sleepCtx(ctx, 50*time.Millisecond); err != nil {
			return p, err
		}
	}
}

func printScaleOut(w io.Writer, cfg scaleoutConfig, results []scaleoutResult) {
	pool := "default PostgreSQL pool"
	if cfg.pool > 0 {
		pool = fmt.Sprintf("pool_max_conns=%d", cfg.pool)
	}
	if cfg.tick > 0 {
		pool += fmt.Sprintf(", --tick %s", cfg.tick)
	}
	fmt.Fprintf(w, "\n%d connections × %d users, window %s, %s\n", cfg.conns, cfg.users, cfg.window, pool)
	fmt.Fprintln(w, "| serve | load s | load users/s | runs/min | users/s | mean run s | mean gap s | runs per serve | serve CPU s | slapd CPU s | PostgreSQL CPU s | skipped / lost | load average |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|---|")
	for _, r := range results {
		minutes := r.Window.Minutes()
		var cpu []string
		for _, c := range r.ServeCPU {
			cpu = append(cpu, fmt.Sprintf("%.1f", c.Seconds()))
		}
		fmt.Fprintf(w, "| %d | %.1f | %.0f | %.1f | %.0f | %.2f | %.2f | %v | %s | %.1f | %.1f | %d / %d | %s → %s |\n",
			r.Instances, r.LoadWall.Seconds(), float64(r.LoadUsers)/r.LoadWall.Seconds(),
			float64(r.Runs)/minutes, float64(r.UsersRead)/r.Window.Seconds(), r.RunMs/1000, r.GapMs/1000, r.PerServe, strings.Join(cpu, " + "),
			r.SlapdCPU.Seconds(), r.PgCPU.Seconds(), r.Skipped, r.Lost, r.Load1Start, r.Load1End)
	}
}
