package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// soakDuration is how long TestSoakServeLive drives changes: 30 seconds,
// or any Go duration in USERSYNC_SOAK (USERSYNC_SOAK=10m for the long form).
func soakDuration(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("USERSYNC_SOAK")
	if v == "" {
		return 30 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("USERSYNC_SOAK=%q: want a positive Go duration such as 10m", v)
	}
	return d
}

// soakSample is one reading of the process after a garbage collection.
type soakSample struct {
	at         time.Duration
	goroutines int
	heap       uint64
}

// soakDir is one directory of the soak and what the store must end up
// holding for it: every uid the test knows, with the title it expects, and
// whether the entry is still in the directory.
type soakDir struct {
	name    string
	n       int // users loaded before the soak
	s       *slapd.Server
	l       *ldapv3.Conn
	next    int // the next generated user number to add
	present map[string]bool
	title   map[string]string
	adds    int
	mods    int
	dels    int
}

// TestSoakServeLive runs serve in this process with two OpenLDAP
// connections in live mode while the directories change and the UI and API
// are in use, all on loopback, for a bounded time. Every change must be
// applied exactly once (each user once, modified values present, deleted
// users inactive), no run may fail, and the number of goroutines and the
// live heap must stay flat.
func TestSoakServeLive(t *testing.T) {
	const n = 300
	dur := soakDuration(t)
	c := newCLI(t)
	t.Setenv("USERSYNC_LOG_LEVEL", "error")
	const adminPassword = "soak-admin-password-1"
	t.Setenv("USERSYNC_ADMIN_PASSWORD", adminPassword)

	dirs := []*soakDir{{name: "corp", n: n}, {name: "hr", n: n}}
	for _, d := range dirs {
		d.s = slapd.Start(t, n, 0)
		d.l = adminConn(t, d.s)
		d.next = n + 1
		d.present, d.title = map[string]bool{}, map[string]string{}
		for i := 1; i <= n; i++ {
			d.present[slapd.UID(i)] = true
			d.title[slapd.UID(i)] = fmt.Sprintf("Title %d", i%7)
		}
		doc := connDoc(d.s)
		doc["name"], doc["friendlyName"] = d.name, "Soak "+d.name
		if d.name == "hr" {
			// The two directories hold the same uids; the second connection
			// keys its users by mail so that the userIds do not collide.
			doc["mappings"] = []any{
				map[string]any{"source": "mail", "target": "userId"},
				map[string]any{"source": "displayName", "target": "displayName"},
				map[string]any{"source": "title", "target": "title"},
			}
		}
		c.apply(doc)
		if rep, code := c.sync(d.name, "--full"); code != 0 || rep.Created != n {
			t.Fatalf("first sync of %s: exit %d %+v", d.name, code, rep.Counts)
		}
		doc["live"], doc["schedule"] = true, "@every 1h"
		c.apply(doc)
	}
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	start := time.Now()
	before, err := a.Store.ListRuns(context.Background(), store.RunQuery{Limit: 1})
	if err != nil || len(before) != 1 {
		t.Fatalf("runs before the soak: %v %v", before, err)
	}

	idle := runtime.NumGoroutine()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	base, served := startSoakServe(t, ctx, c.db)

	// Live mode is on for both connections when a user added to each
	// directory appears; only then does the measured soak begin.
	for _, d := range dirs {
		d.add(t)
		waitSoakUser(t, a, d.name, slapd.UID(d.next-1), store.StatusActive)
	}

	end := time.Now().Add(dur)
	var samples []soakSample
	var wg sync.WaitGroup
	sampleEvery := max(dur/60, 200*time.Millisecond)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(end) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			samples = append(samples, soakSample{at: time.Since(start), goroutines: runtime.NumGoroutine(), heap: ms.HeapAlloc})
			time.Sleep(sampleEvery)
		}
	}()
	uiErrs := make(chan error, 4)
	uiRequests := make([]int, 2)
	for w := range uiRequests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if uiRequests[w], err = soakUI(base, adminPassword, end); err != nil {
				uiErrs <- fmt.Errorf("UI worker %d: %w", w, err)
			}
		}()
	}
	// Directory changes, counted: each round adds a user to, modifies a
	// user of and deletes a user from each directory, in turn.
	for round := 1; time.Now().Before(end) && round <= 100000; round++ {
		for _, d := range dirs {
			d.add(t)
			d.modify(t, round)
			d.delete(t, round)
		}
		time.Sleep(150 * time.Millisecond)
	}
	wg.Wait()
	close(uiErrs)
	for err := range uiErrs {
		t.Error(err)
	}

	for _, d := range dirs {
		waitSoakConverged(t, a, d)
	}
	runs, err := a.Store.ListRuns(context.Background(), store.RunQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	// Each change is applied exactly once: the runs of the soak together
	// created each added user once, updated each modified user once and
	// deactivated each deleted user once.
	done := map[string]*store.Counts{}
	for _, d := range dirs {
		done[d.name] = &store.Counts{}
	}
	for _, r := range runs {
		if r.Status == store.RunFailed {
			t.Errorf("run %d (%s, %s on %s) failed: %s", r.ID, r.Trigger, r.Mode, r.Connection, r.Error)
		}
		if r.ID > before[0].ID {
			sum := done[r.Connection]
			sum.Created += r.Created
			sum.Updated += r.Updated
			sum.Deactivated += r.Deactivated
			sum.Failed += r.Failed
		}
	}
	for _, d := range dirs {
		want := store.Counts{Created: d.adds, Updated: d.mods, Deactivated: d.dels}
		if got := *done[d.name]; got != want {
			t.Errorf("%s: the soak's runs together did %+v, want %+v", d.name, got, want)
		}
	}
	stop()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
	checkFlat(t, samples)
	waitGoroutines(t, idle)
	changes := 0
	for _, d := range dirs {
		changes += d.adds + d.mods + d.dels
		t.Logf("%s: %d added, %d modified, %d deleted", d.name, d.adds, d.mods, d.dels)
	}
	t.Logf("soak %s: %d directory changes, %d UI/API requests, %d runs, %d samples",
		dur, changes, uiRequests[0]+uiRequests[1], len(runs), len(samples))
}

// startSoakServe runs serve in this process on a loopback port of its own
// and returns its URL and a channel that gets serve's result.
func startSoakServe(t *testing.T, ctx context.Context, db string) (string, <-chan error) {
	t.Helper()
	sa, err := openApp(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdout: &soakWriter{w: &out}, stderr: &soakWriter{w: &out}, stdin: strings.NewReader(""),
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// The options come from serve's own flags, so that every setting a new
	// flag adds has its default here too.
	fs := newFlags("serve", io.Discard)
	o := addServeFlags(fs)
	if _, err := fs.parse([]string{"--listen", "127.0.0.1:0", "--ops-listen", ""}, 0, "no arguments"); err != nil {
		t.Fatal(err)
	}
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		defer sa.Close()
		served <- serve(ctx, e, sa, o, func(u string) { ready <- u })
	}()
	select {
	case u := <-ready:
		return strings.TrimSuffix(u, "/"), served
	case err := <-served:
		t.Fatalf("serve stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not listen within 30s")
	}
	return "", nil
}

// soakWriter serialises serve's output, written from several goroutines.
type soakWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *soakWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (d *soakDir) add(t *testing.T) {
	t.Helper()
	i := d.next
	d.next++
	addGeneratedUser(t, d.l, i)
	d.present[slapd.UID(i)] = true
	d.title[slapd.UID(i)] = fmt.Sprintf("Title %d", i%7)
	d.adds++
}

// modify gives user round+n/2 a new title. Every user is modified at most
// once and long after it was added, so that each change is its own.
func (d *soakDir) modify(t *testing.T, round int) {
	t.Helper()
	i := round + d.n/2
	if !d.present[slapd.UID(i)] {
		return
	}
	title := fmt.Sprintf("Soak %d", round)
	if err := d.l.Modify(ldapReplace(slapd.UserDN(i), "title", title)); err != nil {
		t.Fatal(err)
	}
	d.title[slapd.UID(i)] = title
	d.mods++
}

// delete removes user round, the oldest user left: n/2 rounds after it
// was modified, n rounds after it was added.
func (d *soakDir) delete(t *testing.T, round int) {
	t.Helper()
	i := round
	if !d.present[slapd.UID(i)] {
		return
	}
	if err := d.l.Del(ldapv3.NewDelRequest(slapd.UserDN(i), nil)); err != nil {
		t.Fatal(err)
	}
	d.present[slapd.UID(i)] = false
	d.dels++
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// soakUI logs in with the form and its CSRF token, then reads pages and
// API lists until end, and returns how many requests it made.
func soakUI(base, password string, end time.Time) (int, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	get := func(path string) (string, error) {
		resp, err := hc.Get(base + path)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("GET %s: %s: %.200s", path, resp.Status, body)
		}
		return string(body), nil
	}
	page, err := get("/login")
	if err != nil {
		return 0, err
	}
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		return 1, fmt.Errorf("the login page has no CSRF field")
	}
	resp, err := hc.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "username": {app.AdminName}, "password": {password}})
	if err != nil {
		return 1, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 2, fmt.Errorf("login: %s", resp.Status)
	}
	paths := []string{"/", "/users", "/runs", "/connections", "/api/v1/users?connection=corp", "/api/v1/users?connection=hr",
		"/api/v1/runs", "/api/v1/connections"}
	count := 2
	for ; time.Now().Before(end) && count < 1000000; count++ {
		if _, err := get(paths[count%len(paths)]); err != nil {
			return count, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return count, nil
}

// waitSoakUser waits until the connection's user uid is in the status.
func waitSoakUser(t *testing.T, a *app.App, conn, uid, status string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		users, err := a.Store.ListUsers(context.Background(), store.UserQuery{Connection: conn, Search: uid})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) == 1 && users[0].Status == status {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s in %s never became %s", uid, conn, status)
}

// waitSoakConverged waits until the store holds the directory's users
// exactly: each once, active with the expected title while present,
// inactive once deleted, and nobody else.
func waitSoakConverged(t *testing.T, a *app.App, d *soakDir) {
	t.Helper()
	var problems []string
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		users, err := a.Store.ListUsers(context.Background(), store.UserQuery{Connection: d.name, Limit: 1000000})
		if err != nil {
			t.Fatal(err)
		}
		problems = soakDiff(d, users)
		if len(problems) == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(problems) > 10 {
		problems = append(problems[:10], fmt.Sprintf("… and %d more", len(problems)-10))
	}
	t.Errorf("%s: the store does not match the directory:\n%s", d.name, strings.Join(problems, "\n"))
}

func soakDiff(d *soakDir, users []store.User) []string {
	var problems []string
	seen := map[string]int{}
	for _, u := range users {
		uid := strings.TrimSuffix(u.UserID, "@example.com")
		seen[uid]++
		present, known := d.present[uid]
		switch {
		case !known:
			problems = append(problems, fmt.Sprintf("%s: in the store but never in the directory", u.UserID))
		case present && u.Status != store.StatusActive:
			problems = append(problems, fmt.Sprintf("%s: %s, want active", uid, u.Status))
		case present && u.Fields["title"] != d.title[uid]:
			problems = append(problems, fmt.Sprintf("%s: title %q, want %q", uid, u.Fields["title"], d.title[uid]))
		case !present && u.Status != store.StatusInactive:
			problems = append(problems, fmt.Sprintf("%s: %s, want inactive (deleted)", uid, u.Status))
		}
	}
	for uid := range d.present {
		if seen[uid] != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d times in the store, want once", uid, seen[uid]))
		}
	}
	return problems
}

// waitGoroutines fails unless, once serve has stopped, the goroutines fall
// back to (about) as many as there were before it started: serve leaves
// nothing running behind it.
func waitGoroutines(t *testing.T, idle int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for runtime.NumGoroutine() > idle+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 32<<10) // the first goroutines are enough to name the leak
			t.Errorf("%d goroutines after serve stopped, %d before it started:\n%s",
				runtime.NumGoroutine(), idle, buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkFlat fails when goroutines or the heap grow: after a warm-up (the
// first sixth of the samples), the last third's maximum must stay within a
// small tolerance of the first third's.
func checkFlat(t *testing.T, samples []soakSample) {
	t.Helper()
	if len(samples) < 12 {
		t.Fatalf("only %d samples: the soak was too short to judge growth", len(samples))
	}
	s := samples[len(samples)/6:]
	third := len(s) / 3
	first, last := s[:third], s[len(s)-third:]
	peak := func(ss []soakSample) (g int, h uint64) {
		for _, x := range ss {
			g, h = max(g, x.goroutines), max(h, x.heap)
		}
		return g, h
	}
	g1, h1 := peak(first)
	g2, h2 := peak(last)
	t.Logf("goroutines: first third max %d, last third max %d; heap: first third max %.1f MiB, last third max %.1f MiB",
		g1, g2, float64(h1)/(1<<20), float64(h2)/(1<<20))
	// In-flight requests and runs pile up for a moment when the machine is
	// starved (CI runs two test packages at a time), so the peaks may
	// differ by a third; a goroutine that leaks for good also fails
	// waitGoroutines once serve has stopped.
	if g2 > g1+max(10, g1/3) {
		t.Errorf("goroutines grew from at most %d to %d", g1, g2)
	}
	if h2 > h1+h1/4+4<<20 {
		t.Errorf("heap grew from at most %.1f MiB to %.1f MiB", float64(h1)/(1<<20), float64(h2)/(1<<20))
	}
}
