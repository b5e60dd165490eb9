package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// scimConfig is what the SCIM throughput bench runs.
type scimConfig struct {
	duration    time.Duration
	concurrency int
	outDir      string
	// profile writes a CPU profile of the server to outDir/cpu-scim.pprof.
	profile bool
}

// scimKinds are the requests of the mix, with their share of it: a
// provisioning client's steady state is mostly creates and attribute
// updates, with membership changes and some soft deletes.
var scimKinds = []struct {
	name  string
	share int
}{
	{"POST /Users (create)", 40},
	{"PATCH /Users (attributes)", 30},
	{"PATCH /Groups (members)", 20},
	{"PATCH /Users (active false)", 10},
}

// runSCIMBench starts `usersync serve` on a new SQLite store with one SCIM
// connection and drives it on loopback with the mix above from
// concurrency clients for the duration, then prints requests per second
// and p50/p99 latency per kind and overall.
func runSCIMBench(ctx context.Context, cfg scimConfig, bin, tmp string) error {
	dir := filepath.Join(tmp, "scim")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	profile := ""
	if cfg.profile {
		profile = filepath.Join(cfg.outDir, "cpu-scim.pprof")
	}
	srv, err := startSCIMServer(ctx, bin, dir, profile)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.concurrency * 2}, Timeout: 30 * time.Second}
	b := &scimBench{base: srv.base, token: srv.token, client: client}
	// Ten groups, created before the clock starts, receive the member patches.
	for i := range 10 {
		id, _, err := b.post(ctx, "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Bench Group %d"}`, i))
		if err != nil {
			return fmt.Errorf("create group: %w", err)
		}
		b.groups = append(b.groups, id)
	}
	// A few users exist before the clock starts, so that the first patches
	// have someone to change.
	for i := range cfg.concurrency {
		if _, err := b.create(ctx, fmt.Sprintf("seed%d", i)); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
	}
	fmt.Printf("SCIM bench: %d clients for %s against %s\n", cfg.concurrency, cfg.duration, srv.base)
	lat := make([][]time.Duration, len(scimKinds))
	statuses := map[string]int{}
	var mu sync.Mutex
	deadline := time.Now().Add(cfg.duration)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			mine := make([][]time.Duration, len(scimKinds))
			mineStatus := map[string]int{}
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				k := pickKind(rng)
				t0 := time.Now()
				code, err := b.request(ctx, rng, k, fmt.Sprintf("w%d-%d", w, n))
				mine[k] = append(mine[k], time.Since(t0))
				switch {
				case err != nil:
					mineStatus["error: "+err.Error()]++
				case code >= 300:
					mineStatus[fmt.Sprintf("%s → %d", scimKinds[k].name, code)]++
				}
			}
			mu.Lock()
			for k := range mine {
				lat[k] = append(lat[k], mine[k]...)
			}
			for s, n := range mineStatus {
				statuses[s] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return reportSCIM(cfg, lat, statuses, elapsed)
}

func pickKind(rng *rand.Rand) int {
	n := rng.IntN(100)
	for k, kind := range scimKinds {
		if n < kind.share {
			return k
		}
		n -= kind.share
	}
	return 0
}

// scimBench is the client side: the users created so far, the groups.
type scimBench struct {
	base, token string
	client      *http.Client
	mu          sync.Mutex
	users       []string
	groups      []string
}

func (b *scimBench) pickUser(rng *rand.Rand) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.users[rng.IntN(len(b.users))]
}

func (b *scimBench) create(ctx context.Context, name string) (int, error) {
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":%q,"userName":"%s@bench.example.com","active":true,"displayName":"Bench %s",
		"name":{"givenName":"Bench","familyName":%q},"emails":[{"primary":true,"type":"work","value":"%s@bench.example.com"}],
		"title":"Engineer","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","employeeNumber":%q}}`,
		name, name, name, name, name, name)
	id, code, err := b.post(ctx, "/Users", body)
	if err == nil && id != "" {
		b.mu.Lock()
		b.users = append(b.users, id)
		b.mu.Unlock()
	}
	return code, err
}

// request sends one request of kind k.
func (b *scimBench) request(ctx context.Context, rng *rand.Rand, k int, name string) (int, error) {
	switch k {
	case 0:
		return b.create(ctx, name)
	case 1:
		return b.patch(ctx, "/Users/"+b.pickUser(rng), fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Replace","path":"title","value":"Title %d"},{"op":"Replace","path":"name.familyName","value":"Family %d"}]}`, rng.IntN(1000), rng.IntN(1000)))
	case 2:
		op := "Add"
		if rng.IntN(3) == 0 {
			op = "Remove"
		}
		return b.patch(ctx, "/Groups/"+b.groups[rng.IntN(len(b.groups))], fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":%q,"path":"members","value":[{"value":%q}]}]}`, op, b.pickUser(rng)))
	default:
		return b.patch(ctx, "/Users/"+b.pickUser(rng), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	}
}

func (b *scimBench) do(ctx context.Context, method, path, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func (b *scimBench) post(ctx context.Context, path, body string) (string, int, error) {
	code, out, err := b.do(ctx, "POST", path, body)
	if err != nil {
		return "", code, err
	}
	if code != http.StatusCreated {
		return "", code, nil
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out, &created); err != nil || created.ID == "" {
		return "", code, fmt.Errorf("POST %s: 201 without an id: %s", path, out)
	}
	return created.ID, code, nil
}

func (b *scimBench) patch(ctx context.Context, path, body string) (int, error) {
	code, _, err := b.do(ctx, "PATCH", path, body)
	return code, err
}

// reportSCIM prints and saves requests per second and latency percentiles.
func reportSCIM(cfg scimConfig, lat [][]time.Duration, statuses map[string]int, elapsed time.Duration) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "| requests | count | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n")
	var all []time.Duration
	for k, kind := range scimKinds {
		all = append(all, lat[k]...)
		fmt.Fprintf(&buf, "| %s | %d | %.0f | %s | %s |\n", kind.name, len(lat[k]), float64(len(lat[k]))/elapsed.Seconds(), pct(lat[k], 50), pct(lat[k], 99))
	}
	fmt.Fprintf(&buf, "| **all** | %d | **%.0f** | %s | **%s** |\n", len(all), float64(len(all))/elapsed.Seconds(), pct(all, 50), pct(all, 99))
	fmt.Fprintf(&buf, "\n%d clients, %s, SQLite store.\n", cfg.concurrency, elapsed.Round(time.Millisecond))
	if len(statuses) > 0 {
		fmt.Fprintf(&buf, "\nAnswers other than 2xx:\n")
		keys := make([]string, 0, len(statuses))
		for s := range statuses {
			keys = append(keys, s)
		}
		slices.Sort(keys)
		for _, s := range keys {
			fmt.Fprintf(&buf, "- %s: %d\n", s, statuses[s])
		}
	}
	os.Stdout.Write(buf.Bytes())
	return os.WriteFile(filepath.Join(cfg.outDir, "scim.md"), buf.Bytes(), 0o644)
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return fmt.Sprintf("%.1f", float64(s[i].Microseconds())/1000)
}

// scimServer is a running `usersync serve` with one SCIM connection.
type scimServer struct {
	base, token string
	cmd         *exec.Cmd
	logs        *bytes.Buffer
}

func (s *scimServer) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func startSCIMServer(ctx context.Context, bin, dir, profile string) (*scimServer, error) {
	db := filepath.Join(dir, "usersync.db")
	env := append(os.Environ(), "USERSYNC_SECRET_KEY=", "USERSYNC_SECRET_KEY_FILE="+filepath.Join(dir, "usersync.key"),
		"USERSYNC_ADMIN_PASSWORD=Bench-Admin-Passw0rd")
	cli := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, bin, append(args, "--db", db)...)
		cmd.Env, cmd.Dir = env, dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("usersync %s: %w: %s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return string(out), nil
	}
	token, err := scimSetup(cli, "bench")
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--listen", addr, "--ops-listen", "", "--no-scheduler", "--db", db)
	cmd.Env, cmd.Dir = env, dir
	if profile != "" {
		cmd.Env = append(cmd.Env, "USERSYNC_CPUPROFILE="+profile)
	}
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &scimServer{base: "http://" + addr + "/scim/v2/bench", token: token, cmd: cmd, logs: logs}
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get("http://" + addr + "/api/openapi.json")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("usersync serve did not answer: %v\n%s", err, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scimSetup creates the bench's SCIM connection, with the deletion guard
// off (the bench measures throughput; acceptance tests the guard), and
// returns a new bearer token for it.
func scimSetup(cli func(args ...string) (string, error), name string) (string, error) {
	doc := fmt.Sprintf(`{"name":%q,"systemType":"scim","deletionGuard":{"disabled":true}}`, name)
	f, err := os.CreateTemp("", "scim-conn-*.json")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(doc); err != nil {
		return "", err
	}
	f.Close()
	if _, err := cli("connection", "apply", "-f", f.Name()); err != nil {
		return "", err
	}
	out, err := cli("scim", "token", "create", "bench", "--connection", name)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}
