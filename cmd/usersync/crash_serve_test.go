package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/faults"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestKilledServeRecovers kills `usersync serve` with SIGKILL while it
// follows a connection live and a scheduled run is half-way through its
// read, with a user added and a user deleted in the directory meanwhile.
// A restarted serve must take over once the dead process's lease expires
// and converge: the new user active, the deleted one inactive, the killed
// run marked failed, nobody twice.
func TestKilledServeRecovers(t *testing.T) {
	n := reliabilityScale(2000, 20000)
	s := slapd.Start(t, n, 0)
	p, err := faults.Listen("127.0.0.1", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	c := newCLI(t)
	t.Setenv("USERSYNC_LOG_LEVEL", "error")
	doc := connDoc(s)
	doc["port"] = p.Port()
	doc["pageSize"] = max(1, n/20)
	c.apply(doc)
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if rep, code := c.sync("corp", "--full"); code != 0 || rep.Created != n {
		t.Fatalf("first sync: exit %d %+v", code, rep.Counts)
	}
	// A schedule every two seconds is below the server's default floor of
	// a minute: the test lowers the floor for both apply and serve.
	doc["live"], doc["schedule"], doc["minInterval"] = true, "@every 2s", "1s"
	c.apply(doc, "--min-interval-floor", "1s")

	serve := func() (*exec.Cmd, fmt.Stringer) {
		cmd, out := c.child("serve", "--listen", "127.0.0.1:0", "--ops-listen", "", "--min-interval-floor", "1s")
		return cmd, out
	}
	cmd, out := serve()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	l := adminConn(t, s)
	// Live mode is on when a user added to the directory appears.
	addGeneratedUser(t, l, n+1)
	waitUser(t, a, slapd.UID(n+1), store.StatusActive, out)

	// Hold the next scheduled run (an incremental one) in its read: past
	// its bind, the directory stops answering it.
	p.ArmNew(faults.Stall, 100, nil)
	var held store.Run
	deadline := time.Now().Add(time.Minute)
	for held.ID == 0 || !p.Fired() {
		if time.Now().After(deadline) {
			t.Fatalf("no scheduled run was held in its read (%d bytes); serve said:\n%s", p.Served(), out)
		}
		time.Sleep(20 * time.Millisecond)
		runs, err := a.Store.ListRuns(context.Background(), store.RunQuery{Connection: "corp", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Trigger == store.TriggerSchedule && runs[0].Status == store.RunRunning {
			held = runs[0]
		}
	}
	addGeneratedUser(t, l, n+2)
	if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(2), nil)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // live mode sees both changes
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	p.Disarm()

	cmd, out = serve()
	waitUser(t, a, slapd.UID(n+2), store.StatusActive, out)
	waitUser(t, a, slapd.UID(2), store.StatusInactive, out)
	if r, _ := a.Store.GetRun(context.Background(), held.ID); r.Status != store.RunFailed || !strings.Contains(r.Error, "interrupted") {
		t.Errorf("the killed scheduled run is %s %q, want failed as interrupted", r.Status, r.Error)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	waitLeaseFree(t, a)
	rep, code := c.sync("corp", "--full")
	if code != 0 || rep.Created+rep.Updated+rep.Deactivated != 0 || activeUsers(t, a, "corp") != int64(n+1) {
		t.Errorf("full run after the restart: exit %d %+v %q, %d active; want nothing to do, %d active",
			code, rep.Counts, rep.Error, activeUsers(t, a, "corp"), n+1)
	}
	writeReport(t, "serve killed (SIGKILL) during live mode and a scheduled run", []reportRow{{
		Directory: "OpenLDAP, SQLite", Fault: "serve killed (SIGKILL), live on", Point: "scheduled run's read held",
		Failed: "killed run marked failed (interrupted) by the next serve", Error: firstLine(mustRun(t, a, held.ID).Error),
		Recovery: fmt.Sprintf("user added and user deleted meanwhile: applied; full run after: +%d −%d", rep.Created, rep.Deactivated)}})
}

// waitUser waits until the store has the user whose userId contains uid
// in the given status.
func waitUser(t *testing.T, a *app.App, uid, status string, out fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		users, err := a.Store.ListUsers(context.Background(), store.UserQuery{Connection: "corp", Search: uid})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) > 1 {
			t.Fatalf("%d users match %s: a duplicate", len(users), uid)
		}
		if len(users) == 1 && users[0].Status == status {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never became %s; serve said:\n%s", uid, status, out)
}

// waitLeaseFree waits until nobody holds the connection's run lease.
func waitLeaseFree(t *testing.T, a *app.App) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		l, err := a.Store.GetLease(context.Background(), "corp")
		if err != nil || l.Holder == "" || time.Now().After(l.ExpiresAt) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the run lease is still held")
}
