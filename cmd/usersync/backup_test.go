package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe starts `usersync serve` on the cli's store in a child process
// and returns it with the base URL it printed.
func startServe(t *testing.T, c *cli) (*exec.Cmd, *lockedBuffer, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--listen", "127.0.0.1:0", "--ops-listen", "", "--db", c.db)
	cmd.Env = append(os.Environ(), "USERSYNC_TEST_AS_MAIN=1", "USERSYNC_LOG_LEVEL=info")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	addr := regexp.MustCompile(`UI and API on (http://[^ ]+/) `)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return cmd, out, m[1]
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("serve did not start:\n%s", out)
	return nil, nil, ""
}

func stopServe(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// TestBackupUnderLiveServeRestores: `usersync backup FILE` while `serve`
// runs with live mode on, then `usersync restore FILE` into a new store:
// the restored store has the same users, runs and tokens, and serve starts
// from it and accepts the token. A backup never overwrites a file without
// --force, and restore refuses a store that holds data.
func TestBackupUnderLiveServeRestores(t *testing.T) {
	const n = 300
	s := slapd.Start(t, n, 0)
	c := newCLI(t)
	doc := connDoc(s)
	doc["live"] = true
	c.apply(doc)
	if rep, code := c.sync("corp"); code != 0 || rep.Created != n {
		t.Fatalf("first sync: exit %d %+v", code, rep.Counts)
	}
	tokOut, code := c.run("token", "create", "ci", "--scope", "read")
	if code != 0 {
		t.Fatalf("token create: %d %s", code, tokOut)
	}
	token := strings.Fields(tokOut)[0]

	serve, out, _ := startServe(t, c)
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	l := adminConn(t, s)
	// Live mode is on: a user added to the directory arrives without a sync.
	addGeneratedUser(t, l, n+1)
	waitUser(t, a, slapd.UID(n+1), store.StatusActive, out)

	backup := filepath.Join(t.TempDir(), "usersync-backup.db")
	// Directory changes keep arriving through live mode while the backup
	// reads its snapshot.
	addGeneratedUser(t, l, n+2)
	if got, code := c.run("backup", backup); code != 0 {
		t.Fatalf("backup under serve: exit %d %s", code, got)
	}
	if got, code := c.run("backup", backup); code != exitUsage || !strings.Contains(got, "--force") {
		t.Errorf("second backup to the same file: exit %d %q, want %d naming --force", code, got, exitUsage)
	}
	if got, code := c.run("backup", backup, "--force"); code != 0 {
		t.Fatalf("backup --force: exit %d %s", code, got)
	}
	waitUser(t, a, slapd.UID(n+2), store.StatusActive, out)
	stopServe(t, serve)

	// The backup was taken after user n+2 was added but maybe before live
	// mode applied it; take the store's state now and compare what the
	// backup holds against it.
	want := snapshot(t, a)

	// Restore refuses a store that holds data.
	if got, code := c.run("restore", backup); code != exitUsage || !strings.Contains(got, "not empty") {
		t.Errorf("restore over the live store: exit %d %q, want %d saying it is not empty", code, got, exitUsage)
	}

	dir := t.TempDir()
	restored := &cli{t: t, db: filepath.Join(dir, "usersync.db")}
	copyFile(t, filepath.Join(filepath.Dir(c.db), "usersync.key"), filepath.Join(dir, "usersync.key"))
	if got, code := restored.run("restore", backup); code != 0 {
		t.Fatalf("restore into a new store: exit %d %s", code, got)
	}
	b, err := openApp(context.Background(), restored.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, b)
	b.Close()
	if len(got.users) < n+1 {
		t.Fatalf("restored %d users, want at least %d", len(got.users), n+1)
	}
	for id, u := range got.users {
		if w, ok := want.users[id]; !ok || w != u {
			t.Errorf("restored user %d = %q, the store has %q", id, u, w)
		}
	}
	for id, r := range got.runs {
		if w := want.runs[id]; w != r && !strings.Contains(r, store.RunRunning) {
			t.Errorf("restored run %d = %q, the store has %q", id, r, w)
		}
	}
	if len(got.runs) == 0 || got.tokens != want.tokens || got.connection != want.connection {
		t.Errorf("restored %d runs, tokens %q, connection %q; want runs, tokens %q, connection %q",
			len(got.runs), got.tokens, got.connection, want.tokens, want.connection)
	}

	// serve starts from the restored store, and the token works there.
	serve2, out2, base := startServe(t, restored)
	req, _ := http.NewRequest(http.MethodGet, base+"api/v1/runs", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/v1/runs with the restored token: %d, want 200\n%s", resp.StatusCode, out2)
	}
	stopServe(t, serve2)
}

// storeSnapshot is what a backup must carry over, as comparable text.
type storeSnapshot struct {
	users      map[int64]string
	runs       map[int64]string
	tokens     string
	connection string
}

func snapshot(t *testing.T, a *app.App) storeSnapshot {
	t.Helper()
	ctx := context.Background()
	s := storeSnapshot{users: map[int64]string{}, runs: map[int64]string{}}
	users, err := a.Store.ListUsers(ctx, store.UserQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		s.users[u.ID] = u.UserID + "|" + u.Status + "|" + u.ExternalID + "|" + u.Fields["displayName"] + "|" + u.Fields["email"]
	}
	runs, err := a.Store.ListRuns(ctx, store.RunQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		s.runs[r.ID] = r.Connection + "|" + r.Trigger + "|" + r.Mode + "|" + r.Status
	}
	toks, err := a.Store.ListAPITokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		s.tokens += tk.Name + "|" + tk.Hash + "|" + tk.Scope + ";"
	}
	conn, sealed, err := a.Store.GetConnection(ctx, "corp")
	if err != nil {
		t.Fatal(err)
	}
	s.connection = conn.DNSName + "|" + sealed
	return s
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Paths with the characters a SQLite URI reads as syntax (%, ?, #) are
// plain file names to backup and restore, as to every other command: the
// backup is the file named, and the restore fills the store named, not
// another one cut short at the "?".
func TestBackupRestoreURICharactersInPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "100% sure? #1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.db = filepath.Join(dir, "store?mode=ro#x%20.db")
	if out, code := c.runIn("Local-Secret-2026\n", "local-user", "add", "ops@example.com"); code != 0 {
		t.Fatalf("local-user add: exit %d %s", code, out)
	}
	backup := filepath.Join(dir, "backup?.db#%")
	if out, code := c.run("backup", backup); code != 0 {
		t.Fatalf("backup: exit %d %s", code, out)
	}
	if _, err := os.Stat(backup); err != nil {
		t.Fatalf("the backup is not the file named: %v", err)
	}
	// Beside the first store, the restored one shares its key file.
	restored := &cli{t: t, db: filepath.Join(dir, "restored%3f.db")}
	if out, code := restored.run("restore", backup); code != 0 {
		t.Fatalf("restore: exit %d %s", code, out)
	}
	if out, code := restored.run("local-user", "list", "--json"); code != 0 || !strings.Contains(out, "ops@example.com") {
		t.Fatalf("the restored store: exit %d %s", code, out)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if !slices.ContainsFunc([]string{filepath.Base(c.db), filepath.Base(backup), filepath.Base(restored.db), "usersync.key"},
			func(p string) bool { return strings.HasPrefix(n, p) }) {
			t.Errorf("a file outside the paths given: %q", n)
		}
	}
}
