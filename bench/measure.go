package main

import (
	"bytes"
	"context"

	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"
	_ "modernc.org/sqlite" // the store's driver, to count users after each run

	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// sample is one timed process: wall time and peak resident memory.
type sample struct {
	Wall   time.Duration `json:"wallNs"`
	MaxRSS int64         `json:"maxRssBytes"`
	CPU    time.Duration `json:"cpuNs"`           // user + system time of the process
	RunMs  int64         `json:"runMs,omitempty"` // the run's own durationMs, for usersync
}

// measurement is one row of the table: every repetition and the best one.
type measurement struct {
	Name    string   `json:"name"`
	Samples []sample `json:"samples"`
}

// best returns the fastest repetition: on a shared machine, noise only ever
// adds time, so the minimum is the closest to what the code costs.
func (m measurement) best() sample {
	b := m.Samples[0]
	for _, s := range m.Samples[1:] {
		if s.Wall < b.Wall {
			b = s
		}
	}
	return b
}

// median returns the median wall time, to show the noise beside the best.
func (m measurement) median() time.Duration {
	w := make([]time.Duration, len(m.Samples))
	for i, s := range m.Samples {
		w[i] = s.Wall
	}
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w[len(w)/2]
}

// maxRSS is the largest peak over all repetitions: memory is not noise.
func (m measurement) maxRSS() int64 {
	var r int64
	for _, s := range m.Samples {
		r = max(r, s.MaxRSS)
	}
	return r
}

// result is everything measured for one directory size.
type result struct {
	N            int           `json:"n"`
	Rows         []measurement `json:"rows"`
	Reference    string        `json:"reference"`
	Changed      int           `json:"changedPerRun"`
	LoadDuration time.Duration `json:"loadNs"`
}

// Row names, in table order. The reference is the first.
const (
	rowLdapsearch    = "ldapsearch (same attributes)"
	rowLdapsearchAll = "ldapsearch (all attributes)"
	rowFull          = "full sync, empty store"
	rowResync        = "re-sync, nothing changed"
	rowChanged       = "re-sync, 1% changed"
	rowIncremental   = "incremental (syncrepl), 1% changed"
)

func measure(ctx context.Context, cfg config, bin, dir string, n int) (result, error) {
	res := result{N: n, Reference: rowLdapsearch}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	if !cfg.keepTemp {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintf(os.Stderr, "bench: n=%d: generating and loading users\n", n)
	t0 := time.Now()
	ldifPath := filepath.Join(dir, "users.ldif")
	if err := writeLDIF(ldifPath, n, cfg.sequentialIDs); err != nil {
		return res, err
	}
	if cfg.groups {
		if err := appendGroups(ldifPath, n); err != nil {
			return res, err
		}
	}
	srv, err := slapd.New(ctx, filepath.Join(dir, "slapd"), slapd.Options{LDIFFile: ldifPath})
	if err != nil {
		return res, err
	}
	defer srv.Stop()
	os.Remove(ldifPath)
	res.LoadDuration = time.Since(t0)
	reps := cfg.reps
	if n >= 1_000_000 {
		reps = 1
	}
	h := &harness{cfg: cfg, bin: bin, dir: dir, srv: srv, n: n}
	if cfg.postgres {
		stop, err := h.startPostgres(ctx)
		if err != nil {
			return res, err
		}
		defer stop()
	}
	attrs := append([]string{"entryUUID"}, baselineAttributes()...)
	ref, err := h.repeat(ctx, rowLdapsearch, reps, func(int) (sample, error) { return h.reference(ctx, attrs) })
	if err != nil {
		return res, err
	}
	all, err := h.repeat(ctx, rowLdapsearchAll, reps, func(int) (sample, error) { return h.ldapsearch(ctx, nil) })
	if err != nil {
		return res, err
	}
	full, err := h.repeat(ctx, rowFull, reps, func(i int) (sample, error) {
		if err := h.freshStore(ctx); err != nil {
			return sample{}, err
		}
		return h.sync(ctx, fmt.Sprintf("full-%d", i), func(r reconcile.Report) error {
			if r.Created != n {
				return fmt.Errorf("created %d, want %d", r.Created, n)
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	resync, err := h.repeat(ctx, rowResync, reps, func(i int) (sample, error) {
		return h.sync(ctx, fmt.Sprintf("resync-%d", i), func(r reconcile.Report) error {
			if r.Unchanged != n || r.Updated != 0 || r.Created != 0 {
				return fmt.Errorf("unchanged %d updated %d created %d, want %d unchanged", r.Unchanged, r.Updated, r.Created, n)
			}
			return nil
		}, "--full")
	})
	if err != nil {
		return res, err
	}
	res.Changed = max(n/100, 1)
	changed, err := h.repeat(ctx, rowChanged, reps, func(i int) (sample, error) {
		if err := h.changeUsers(ctx, i, res.Changed); err != nil {
			return sample{}, err
		}
		return h.sync(ctx, fmt.Sprintf("changed-%d", i), func(r reconcile.Report) error {
			if r.Updated != res.Changed {
				return fmt.Errorf("updated %d, want %d", r.Updated, res.Changed)
			}
			return nil
		}, "--full")
	})
	if err != nil {
		return res, err
	}
	res.Rows = []measurement{ref, all, full, resync, changed}
	if !cfg.incremental {
		return res, nil
	}
	incr, err := h.repeat(ctx, rowIncremental, reps, func(i int) (sample, error) {
		if err := h.changeUsers(ctx, reps+i, res.Changed); err != nil {
			return sample{}, err
		}
		return h.sync(ctx, fmt.Sprintf("incremental-%d", i), func(r reconcile.Report) error {
			if r.Mode != "incremental" || r.Updated != res.Changed {
				return fmt.Errorf("mode %s, updated %d, want incremental and %d", r.Mode, r.Updated, res.Changed)
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	res.Rows = append(res.Rows, incr)
	return res, nil
}

// writeLDIF streams the generated users to a file: the harness must stay
// small, because on Linux a child started by Go (vfork, then exec) reports
// the parent's peak RSS as its own when that is larger.
func writeLDIF(path string, n int, sequentialIDs bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	write := slapd.WriteUsersScattered
	if sequentialIDs {
		write = slapd.WriteUsers
	}
	if err := write(f, n, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// harness runs the processes of one directory size.
type harness struct {
	cfg config
	bin string
	dir string
	srv *slapd.Server
	n   int
	// pg is the throwaway PostgreSQL cluster with -postgres, and pgURL the
	// database of the current store on it.
	pg    *pgCluster
	pgURL string
	// dbOverride points the usersync runs at another store (the template of
	// freshStoreWithGroups) while it is set.
	dbOverride string
}

func (h *harness) repeat(ctx context.Context, name string, reps int, fn func(i int) (sample, error)) (measurement, error) {
	m := measurement{Name: name}
	for i := 0; i < reps; i++ {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		s, err := fn(i)
		if err != nil {
			return m, fmt.Errorf("%s (repetition %d): %w", name, i+1, err)
		}
		fmt.Fprintf(os.Stderr, "bench: n=%d %-36s %8.3f s (cpu %.3f s) %6.1f MB\n", h.n, name, s.Wall.Seconds(), s.CPU.Seconds(), float64(s.MaxRSS)/1e6)
		m.Samples = append(m.Samples, s)
	}
	return m, nil
}

// timed runs cmd to completion and reads its wall time and peak RSS.
func timed(cmd *exec.Cmd) (sample, error) {
	var stderr bytes.Buffer
	if cmd.Stderr == nil {
		cmd.Stderr = &stderr
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var s sample
	s.Wall = wall
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
			s.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if err != nil {
		return s, fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, lastLines(stderr.String(), 5))
	}
	return s, nil
}

// ldapsearch is the reference: the directory's own client reading every user
// with paging, output thrown away.
func (h *harness) ldapsearch(ctx context.Context, attrs []string) (sample, error) {
	args := []string{"-x", "-LLL", "-H", h.srv.URL(), "-D", slapd.AdminDN, "-w", slapd.AdminPassword,
		"-b", slapd.PeopleDN, "-E", "pr=1000/noprompt", "(objectClass=inetOrgPerson)"}
	args = append(args, attrs...)
	cmd := exec.CommandContext(ctx, "ldapsearch", args...)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devnull.Close()
	cmd.Stdout = devnull
	return timed(cmd)
}

func (h *harness) dbPath() string {
	if h.dbOverride != "" {
		return h.dbOverride
	}
	if h.pgURL != "" {
		return h.pgURL
	}
	return filepath.Join(h.dir, "usersync.db")
}

func (h *harness) usersync(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, h.bin, append(args, "--db", h.dbPath())...)
	cmd.Env = append(os.Environ(), "USERSYNC_SECRET_KEY_FILE="+filepath.Join(h.dir, "usersync.key"), "USERSYNC_LOG_LEVEL=warn")
	if os.Getenv("GOMEMLIMIT") == "" {
		// The memory targets must hold without usersync's own soft limit,
		// which stays only as a safety net: measure with it off unless the
		// caller chose a limit.
		cmd.Env = append(cmd.Env, "GOMEMLIMIT=off")
	}
	return cmd
}

// freshStore removes the store and registers the connection again.
func (h *harness) freshStore(ctx context.Context) error {
	if h.pg != nil {
		return h.freshPostgresStore(ctx)
	}
	if h.cfg.groups {
		return h.freshStoreWithGroups(ctx)
	}
	return h.freshPlainStore(ctx)
}

func (h *harness) freshPlainStore(ctx context.Context) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if h.pg != nil {
			break
		}
		if err := os.Remove(h.dbPath() + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	doc, err := json.Marshal(map[string]any{
		"name": "bench", "friendlyName": "Benchmark directory", "directoryType": "source", "systemType": "ldap",
		"dnsName": "127.0.0.1", "port": h.srv.Port, "security": "none",
		"username": slapd.AdminDN, "password": slapd.AdminPassword,
		"searchPath": slapd.PeopleDN, "searchFilter": "(objectClass=inetOrgPerson)",
		"deletionGuard": map[string]any{"disabled": true},
	})
	if err != nil {
		return err
	}
	path := filepath.Join(h.dir, "conn.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		return err
	}
	_, err = timed(h.usersync(ctx, "connection", "apply", "-f", path))
	return err
}

// sync runs `usersync sync bench --json`, checks the report and then the
// store's count of active users against the directory's.
func (h *harness) sync(ctx context.Context, label string, check func(reconcile.Report) error, extra ...string) (sample, error) {
	args := append([]string{"sync", "bench", "--json"}, extra...)
	cmd := h.usersync(ctx, args...)
	if h.cfg.profile {
		cmd.Env = append(cmd.Env, "USERSYNC_CPUPROFILE="+filepath.Join(h.cfg.outDir, fmt.Sprintf("cpu-%d-%s.pprof", h.n, label)),
			"USERSYNC_MEMPROFILE="+filepath.Join(h.cfg.outDir, fmt.Sprintf("mem-%d-%s.pprof", h.n, label)))
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	s, err := timed(cmd)
	if err != nil {
		return s, err
	}
	var rep reconcile.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return s, fmt.Errorf("sync printed no report: %w", err)
	}
	s.RunMs = rep.DurationMs
	if rep.Status != "succeeded" || (rep.Mode == "full" && rep.EntriesRead != h.n) {
		return s, fmt.Errorf("run %s, %s, %d entries read (want %d): %s", rep.Status, rep.Mode, rep.EntriesRead, h.n, rep.Error)
	}
	if err := check(rep); err != nil {
		return s, err
	}
	return s, h.checkStore(ctx)
}

// checkStore counts the store's active users of the connection, and their
// distinct external ids: both must equal the directory's user count.
func (h *harness) checkStore(ctx context.Context) error {
	db, err := h.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	var active, distinct int
	err = db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT external_id) FROM users
		WHERE connection = 'bench' AND source = 'directory' AND status = 'active'`).Scan(&active, &distinct)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if active != h.n || distinct != h.n {
		return fmt.Errorf("store holds %d active users (%d distinct external ids), the directory %d", active, distinct, h.n)
	}
	if h.cfg.groups {
		return checkMemberships(ctx, db, h.n)
	}
	return nil
}

// changeUsers modifies the title of every hundredth user (a different value
// per repetition), online, through the admin account.
func (h *harness) changeUsers(ctx context.Context, rep, count int) error {
	l, err := ldapv3.DialURL(h.srv.URL())
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	step := max(h.n/count, 1)
	for k := 0; k < count; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		i := 1 + k*step
		req := ldapv3.NewModifyRequest(slapd.UserDN(i), nil)
		req.Replace("title", []string{"Changed " + strconv.Itoa(rep) + " " + strconv.Itoa(i)})
		if err := l.Modify(req); err != nil {
			return fmt.Errorf("modify %s: %w", slapd.UserDN(i), err)
		}
	}
	return nil
}

// buildUsersync builds the CLI once, so no run pays for compilation.
func buildUsersync(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "usersync")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/usersync")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/usersync (run bench from the repository root): %w: %s", err, out)
	}
	return bin, nil
}

func lastLines(s string, n int) string {
	lines := bytes.Split(bytes.TrimSpace([]byte(s)), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// baselineAttributes are the attributes a sync of the bench's connection
// asks for: the linking key and the inetOrgPerson baseline's sources.
func baselineAttributes() []string {
	m, err := mapping.Compile(mapping.InetOrgPerson())
	if err != nil {
		panic(err) // the baseline is a constant of the program
	}
	return m.Attributes()
}
