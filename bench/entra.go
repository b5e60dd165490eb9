package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// Entra rows: a tenant of n users and n/100 groups (the first with a fifth
// of the users, 20,000 of 100,000) in the local Graph, synced through the
// same binary: a full sync into an empty store, an incremental sync with
// nothing changed, and one after 1% of the users changed. The reference is
// reading the users' delta whole with a plain HTTP client, as ldapsearch is
// for LDAP.
//
//	go run ./bench -entra 100000

type entraRow struct {
	Users, Groups, BigGroup int
	Reference               sample
	Full                    sample
	Unchanged               sample
	Changed                 sample
	// Membership is an incremental run after 10 users joined a small group
	// and 10 left the largest: only those groups' changes and those users
	// are read.
	Membership sample
}

func runEntra(ctx context.Context, bin, dir string, n int) (entraRow, error) {
	row := entraRow{Users: n, Groups: max(n/100, 1), BigGroup: n / 5}
	g, err := graph.Start(graph.Options{PageSize: 999, MembersPerPage: 1000})
	if err != nil {
		return row, err
	}
	defer g.Close()
	start := time.Now()
	if err := g.Generate(graph.Scale{Users: n, Groups: row.Groups, MembersPerGroup: 20, BigGroupMembers: row.BigGroup}); err != nil {
		return row, err
	}
	fmt.Fprintf(os.Stderr, "bench: entra tenant of %d users and %d groups generated in %s\n", n, row.Groups, time.Since(start).Round(time.Millisecond))
	ca, err := g.WriteCAFile(dir)
	if err != nil {
		return row, err
	}
	h := &harness{bin: bin, dir: dir, n: n}
	env := func(cmdEnv []string) []string { return append(cmdEnv, "SSL_CERT_FILE="+ca) }

	if row.Reference, err = readDelta(ctx, g, n); err != nil {
		return row, fmt.Errorf("reference read: %w", err)
	}
	doc, _ := json.Marshal(map[string]any{
		"name": "bench", "systemType": "entra", "tenantId": g.TenantID(), "clientId": graph.DefaultClientID,
		"clientSecret": graph.DefaultSecret, "authorityHost": g.URL() + "/", "graphURL": g.URL(), "pageSize": 999,
		"deletionGuard": map[string]any{"disabled": true},
	})
	path := filepath.Join(dir, "conn.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		return row, err
	}
	apply := h.usersync(ctx, "connection", "apply", "-f", path)
	apply.Env = env(apply.Env)
	if _, err := timed(apply); err != nil {
		return row, err
	}
	sync := func(label string, want func(reconcile.Report) error) (sample, error) {
		cmd := h.usersync(ctx, "sync", "bench", "--json")
		cmd.Env = env(cmd.Env)
		if p := os.Getenv("ENTRA_BENCH_CPUPROFILE"); p != "" {
			cmd.Env = append(cmd.Env, "USERSYNC_CPUPROFILE="+p+"-"+strings.ReplaceAll(label, " ", "")+".pprof")
		}
		var out bytes.Buffer
		cmd.Stdout = &out
		g.ClearRequests()
		s, err := timedHWM(cmd)
		if err != nil {
			return s, err
		}
		var rep reconcile.Report
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			return s, fmt.Errorf("%s: sync printed no report: %w", label, err)
		}
		s.RunMs = rep.DurationMs
		if rep.Status != "succeeded" {
			return s, fmt.Errorf("%s: run %s: %s", label, rep.Status, rep.Error)
		}
		// What the run asked Graph, which no load on the machine changes:
		// every request, and the pages of the groups' delta among them.
		reqs, groupPages := 0, 0
		for _, q := range g.Requests() {
			if strings.HasPrefix(q.Path, "/v1.0/") {
				reqs++
			}
			if q.Path == "/v1.0/groups/delta" {
				groupPages++
			}
		}
		fmt.Fprintf(os.Stderr, "bench: entra n=%d %-10s %8.3f s (usersync cpu %.3f s) %6.1f MB (%s, read %d, created %d, updated %d; %d Graph requests, %d of them groups delta pages)\n",
			n, label, s.Wall.Seconds(), s.CPU.Seconds(), float64(s.MaxRSS)/1e6, rep.Mode, rep.EntriesRead, rep.Created, rep.Updated, reqs, groupPages)
		return s, want(rep)
	}
	if row.Full, err = sync("full", func(r reconcile.Report) error {
		if r.Mode != "full" || r.Created != n {
			return fmt.Errorf("full: %s, created %d, want %d", r.Mode, r.Created, n)
		}
		return nil
	}); err != nil {
		return row, err
	}
	if row.Unchanged, err = sync("unchanged", func(r reconcile.Report) error {
		if r.Mode != "incremental" || r.Created+r.Updated != 0 {
			return fmt.Errorf("unchanged: %s, created %d, updated %d", r.Mode, r.Created, r.Updated)
		}
		return nil
	}); err != nil {
		return row, err
	}
	changed := n / 100
	for i := 0; i < changed; i++ {
		if err := g.UpdateUser(graph.GenUserID(i*100), map[string]any{"jobTitle": "Changed"}); err != nil {
			return row, err
		}
	}
	if row.Changed, err = sync("1% changed", func(r reconcile.Report) error {
		if r.Mode != "incremental" || r.Updated != changed {
			return fmt.Errorf("1%% changed: %s, updated %d, want %d", r.Mode, r.Updated, changed)
		}
		return nil
	}); err != nil {
		return row, err
	}
	for i := 0; i < 10; i++ {
		if err := g.AddMember(graph.GenGroupID(1), graph.GenUserID(n/2+i)); err != nil {
			return row, err
		}
		if err := g.RemoveMember(graph.GenGroupID(0), graph.GenUserID(i*5)); err != nil {
			return row, err
		}
	}
	if row.Membership, err = sync("membership", func(r reconcile.Report) error {
		if r.Mode != "incremental" {
			return fmt.Errorf("membership: %s, want incremental", r.Mode)
		}
		return nil
	}); err != nil {
		return row, err
	}
	return row, nil
}

// readDelta reads every page of the users' delta with a plain HTTP client
// and throws the bodies away: what reading the tenant costs by itself.
func readDelta(ctx context.Context, g *graph.Server, n int) (sample, error) {
	hc := g.Client()
	form := strings.NewReader("grant_type=client_credentials&client_id=" + graph.DefaultClientID + "&client_secret=" + graph.DefaultSecret +
		"&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default")
	start := time.Now()
	resp, err := hc.Post(g.TokenURL(), "application/x-www-form-urlencoded", form)
	if err != nil {
		return sample{}, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return sample{}, fmt.Errorf("no access token: %v", err)
	}
	link := g.GraphURL() + "/users/delta?$select=id,userPrincipalName,displayName,givenName,surname,mail,jobTitle,department"
	pages := 0
	for link != "" {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Prefer", "odata.maxpagesize=999")
		resp, err := hc.Do(req)
		if err != nil {
			return sample{}, err
		}
		var p struct {
			Next string `json:"@odata.nextLink"`
		}
		// Only the link is kept; the decoder skips over the objects.
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			return sample{}, fmt.Errorf("page %d: HTTP %d %v", pages+1, resp.StatusCode, err)
		}
		link = p.Next
		pages++
	}
	s := sample{Wall: time.Since(start)}
	fmt.Fprintf(os.Stderr, "bench: entra n=%d reference  %8.3f s (%d pages)\n", n, s.Wall.Seconds(), pages)
	return s, nil
}

func printEntra(w io.Writer, rows []entraRow) {
	fmt.Fprintln(w, "| users | groups (largest) | read users' delta | full sync | users/s | usersync CPU | peak RSS | incremental, unchanged | incremental, 1% changed | incremental, 20 memberships changed | peak RSS |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	inc := func(s sample) string { return fmt.Sprintf("%.2f s (%.2f s CPU)", s.Wall.Seconds(), s.CPU.Seconds()) }
	for _, r := range rows {
		fmt.Fprintf(w, "| %d | %d (%d) | %.2f s | %.2f s | %.0f | %.1f s | %.0f MB | %s | %s | %s | %.0f MB |\n",
			r.Users, r.Groups, r.BigGroup, r.Reference.Wall.Seconds(), r.Full.Wall.Seconds(), float64(r.Users)/r.Full.Wall.Seconds(),
			r.Full.CPU.Seconds(), float64(r.Full.MaxRSS)/1e6, inc(r.Unchanged), inc(r.Changed), inc(r.Membership),
			float64(max(r.Unchanged.MaxRSS, r.Changed.MaxRSS, r.Membership.MaxRSS))/1e6)
	}
}

// benchEntra measures each size and prints the table.
func benchEntra(ctx context.Context, bin, tmp, sizes string) error {
	var rows []entraRow
	for _, f := range strings.Split(sizes, ",") {
		var n int
		if _, err := fmt.Sscan(strings.ReplaceAll(strings.TrimSpace(f), "_", ""), &n); err != nil || n <= 0 {
			return fmt.Errorf("bad -entra value %q: want positive integers separated by commas", f)
		}
		dir := filepath.Join(tmp, fmt.Sprintf("entra-%d", n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		r, err := runEntra(ctx, bin, dir, n)
		if err != nil {
			return fmt.Errorf("entra n=%d: %w", n, err)
		}
		rows = append(rows, r)
	}
	printEntra(os.Stdout, rows)
	return nil
}

// timedHWM is timed with the peak memory read from the child's own
// /proc/PID/status (VmHWM) while it runs: the harness holds the whole
// tenant in memory, and a child's rusage counts the parent's resident set
// at fork as its own, which would hide usersync's figure behind the
// local Graph's.
func timedHWM(cmd *exec.Cmd) (sample, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	done := make(chan struct{})
	var hwm int64
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := vmHWM(cmd.Process.Pid); kb > hwm {
				hwm = kb
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	s := sample{Wall: time.Since(start), MaxRSS: hwm * 1024}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if err != nil {
		return s, fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, lastLines(stderr.String(), 5))
	}
	return s, nil
}

// vmHWM reads a process's peak resident set in kB, 0 when unknown.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb
		}
	}
	return 0
}
