package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestMain lets a test start this test binary as the usersync command
// itself (USERSYNC_TEST_AS_MAIN=1), so that a child process can be killed
// mid-run exactly like a deployed binary, and stops the PostgreSQL cluster
// a test started.
func TestMain(m *testing.M) {
	if os.Getenv("USERSYNC_TEST_AS_MAIN") == "1" {
		main()
	}
	pgtest.Main(m)
}

// child starts `usersync ARGS` as a separate process.
func (c *cli) child(args ...string) (*exec.Cmd, *bytes.Buffer) {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], append(args, "--db", c.db)...)
	cmd.Env = append(os.Environ(), "USERSYNC_TEST_AS_MAIN=1", "USERSYNC_LOG_LEVEL=info")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	return cmd, &out
}

// waitRunning waits until the connection's newest run is running and has
// written at least minUsers users (minUsers 0: just running).
func waitRunning(t *testing.T, a *app.App, minUsers int64) store.Run {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		runs, err := a.Store.ListRuns(ctx, store.RunQuery{Connection: "corp", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Status == store.RunRunning && (minUsers == 0 || usersOf(t, a) >= minUsers && runs[0].EntriesRead > 0) {
			return runs[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the child's run never got going")
	return store.Run{}
}

func usersOf(t *testing.T, a *app.App) int64 {
	t.Helper()
	counts, err := a.Store.UserCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, c := range counts {
		n += c.Users
	}
	return n
}

// TestKilledSyncRecovers: a sync killed with kill -9 loses nothing and the
// restarted one completes it. It uses 50,000 users (100,000
// make the two race-enabled syncs too slow for CI on two cores; set
// USERSYNC_CRASH_USERS=100000 to run the full size).
func TestKilledSyncRecovers(t *testing.T) {
	n := 50000
	if v, err := strconv.Atoi(os.Getenv("USERSYNC_CRASH_USERS")); err == nil && v > 0 {
		n = v
	}
	s := slapd.Start(t, n, 0)
	c := newCLI(t)
	c.apply(connDoc(s))
	t.Setenv("USERSYNC_LOG_LEVEL", "warn")
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	cmd, out := c.child("sync", "corp")
	interrupted := waitRunning(t, a, int64(n/5))
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	partial := usersOf(t, a)
	t.Logf("killed run %d with %d of %d users written; child said:\n%s", interrupted.ID, partial, n, out.String())
	if partial >= int64(n) {
		t.Fatalf("the run finished before the kill (%d users); use more users", partial)
	}

	// The dead process's lease has not expired yet: a second sync fails
	// fast, naming the holder, instead of running alongside a ghost. On a
	// starved machine the lease may already be near its end by now (the
	// child renews it every few seconds and a busy database can delay a
	// renewal), so it is renewed here as the dead holder would have done a
	// moment before dying: the case under test is "holder dead, lease live".
	l, err := a.Store.GetLease(context.Background(), "corp")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.RenewLease(context.Background(), "corp", l.Holder, app.LeaseTTL); err != nil {
		t.Fatalf("renewing the dead holder's lease %+v: %v", l, err)
	}
	outText, code := c.run("sync", "corp")
	if code != exitFailed || !strings.Contains(outText, "is being synced by") || !strings.Contains(outText, "pid "+strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("sync during a live lease: exit %d, %s", code, outText)
	}
	if r, _ := a.Store.GetRun(context.Background(), interrupted.ID); r.Status != store.RunRunning {
		t.Fatalf("the interrupted run was touched while its lease was live: %+v", r)
	}
	waitLeaseExpired(t, a)

	rep, code := c.sync("corp")
	if code != 0 || rep.Status != store.RunSucceeded {
		t.Fatalf("sync after the crash: exit %d %+v", code, rep)
	}
	r, _ := a.Store.GetRun(context.Background(), interrupted.ID)
	if r.Status != store.RunFailed || !strings.Contains(r.Error, "interrupted") || r.FinishedAt == nil {
		t.Fatalf("the interrupted run = %+v, want failed", r)
	}
	// Counts add up: what the killed run committed is unchanged now, the
	// rest is created; nobody twice.
	if int64(rep.Created) != int64(n)-partial || int64(rep.Unchanged) != partial || rep.Updated != 0 || rep.Deactivated != 0 || rep.EntriesRead != n {
		t.Fatalf("recovery run counts = %+v, want created %d unchanged %d", rep.Counts, int64(n)-partial, partial)
	}
	if got := usersOf(t, a); got != int64(n) {
		t.Fatalf("%d users in the store, want %d (duplicates or losses)", got, n)
	}
	ext := map[string]bool{}
	if err := a.Store.ScanIndex(context.Background(), "corp", func(e store.IndexEntry) error {
		if ext[e.ExternalID] {
			return errors.New("duplicate external id " + e.ExternalID)
		}
		ext[e.ExternalID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rep, _ = c.sync("corp", "--full")
	if rep.Unchanged != n || rep.Created+rep.Updated+rep.Deactivated != 0 {
		t.Fatalf("third run = %+v, want all unchanged", rep.Counts)
	}

	t.Run("SIGTERM stops a run safely", func(t *testing.T) {
		// Users that left the directory would be deactivated by a complete
		// run; a run stopped by SIGTERM must deactivate nobody.
		l, err := ldapv3.DialURL(s.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 10; i++ {
			if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(i), nil)); err != nil {
				t.Fatal(err)
			}
		}
		cmd, out := c.child("sync", "corp", "--full")
		run := waitRunning(t, a, 0)
		time.Sleep(300 * time.Millisecond) // well into the read
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
			t.Fatalf("child after SIGTERM: %v\n%s", err, out.String())
		}
		r, _ := a.Store.GetRun(context.Background(), run.ID)
		if r.Status != store.RunFailed || r.Deactivated != 0 || !(strings.Contains(r.Error, "context canceled") || strings.Contains(r.Error, "signal received")) {
			t.Fatalf("run stopped by SIGTERM = %+v", r)
		}
		assertActive(t, c, n)
		// The lease was released on the way out: the next sync runs at once.
		rep, code := c.sync("corp")
		if code != 0 || rep.Deactivated != 10 {
			t.Fatalf("sync after SIGTERM: exit %d %+v", code, rep.Counts)
		}
	})
}

func waitLeaseExpired(t *testing.T, a *app.App) {
	t.Helper()
	l, err := a.Store.GetLease(context.Background(), "corp")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(l.ExpiresAt) + 50*time.Millisecond)
}
