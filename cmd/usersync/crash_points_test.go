package main

import (
	"bytes"
	"context"
	"database/sql"
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

// crashPoint is one sync process killed with SIGKILL at one point of its
// run, with its own store and its own proxy to the shared directory.
type crashPoint struct {
	label string
	c     *cli
	p     *faults.Proxy
	cmd   *exec.Cmd
	out   *bytes.Buffer // what the child printed
	// locked delivers the function that frees a store lock taken to hold
	// the run in its final writes.
	locked chan func()
	total  int64 // bytes of a full read
	// committed is how many users the store held when the process died.
	committed int64
}

// TestKilledSyncAtTenPoints kills a sync process with SIGKILL at ten points
// of its life, from the first page of the read to its final writes, then
// restarts: every store must converge to the directory, with no user twice
// and no deactivation lost.
//
// Each point has its own store, first synced with one department only;
// then the connection reads every department (thousands of users to
// create, committed batch by batch) and twenty users of the first
// department have left the directory (twenty deactivations, written after
// the read). Nine points hold the read at 5%…85% and just before its last
// message with a stalled proxy; the tenth lets the read finish and holds
// the final writes on a store lock. The ten processes die together, so the
// runs' leases expire together and the test waits for that only once.
func TestKilledSyncAtTenPoints(t *testing.T) {
	n := reliabilityScale(3000, 50000)
	const left = 20
	s := slapd.Start(t, n, 0)
	t.Setenv("USERSYNC_LOG_LEVEL", "error")
	base := connDoc(s)
	base["searchFilter"] = "(&(objectClass=inetOrgPerson)(ou=Engineering))"
	base["pageSize"] = max(1, n/50)
	all := "(objectClass=inetOrgPerson)"

	// points[10] is not killed: its run measures how many bytes a full read
	// takes (a dry run reads differently).
	points := make([]*crashPoint, 11)
	for k := range points {
		p, err := faults.Listen("127.0.0.1", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		cp := &crashPoint{c: newCLI(t), p: p}
		t.Setenv("USERSYNC_LOG_LEVEL", "error")
		doc := cloneDoc(base)
		doc["port"] = p.Port()
		cp.c.apply(doc)
		if rep, code := cp.c.sync("corp"); code != 0 || rep.Created != n/5 {
			t.Fatalf("first sync of point %d: exit %d %+v", k, code, rep.Counts)
		}
		doc["searchFilter"] = all
		cp.c.apply(doc)
		points[k] = cp
	}
	l := adminConn(t, s)
	for j := range left {
		if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(5*j+1), nil)); err != nil {
			t.Fatal(err)
		}
	}
	measure := points[10]
	points = points[:10]
	measure.p.Disarm()
	if rep, code := measure.c.sync("corp", "--full"); code != 0 || rep.Created != n-n/5 {
		t.Fatalf("measuring run: exit %d %+v", code, rep.Counts)
	}
	total := measure.p.Served()

	for k, cp := range points {
		cp.total = total
		switch {
		case k < 8:
			at := total * int64(2*k+1) / 18
			cp.label = fmt.Sprintf("read held at %d%%", at*100/total)
			cp.p.Arm(faults.Stall, at, nil)
		case k == 8:
			cp.label = "read held before its last message"
			cp.p.Arm(faults.Stall, total-8, nil)
		default:
			cp.label = "read complete, final writes held on a store lock"
			cp.locked = make(chan func(), 1)
			cp.p.Arm(faults.Notify, total-1, func() { cp.locked <- lockSQLite(t, cp.c.db) })
		}
		cp.cmd, cp.out = cp.c.child("sync", "corp", "--full")
	}
	var releases []func()
	for _, cp := range points {
		waitFired(t, cp)
		if cp.locked != nil {
			releases = append(releases, <-cp.locked)
		}
	}
	time.Sleep(time.Second) // the batches read so far reach the store
	for _, cp := range points {
		if err := cp.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := cp.cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Errorf("%s: the sync ended before the kill: %v", cp.label, err)
		}
		cp.p.Disarm()
	}
	for _, release := range releases {
		release()
	}

	var rows []reportRow
	for _, cp := range points {
		a, err := openApp(context.Background(), cp.c.db, nil)
		if err != nil {
			t.Fatal(err)
		}
		cp.committed = usersOf(t, a)
		waitLeaseExpired(t, a)
		rows = append(rows, cp.recover(t, a, n-left))
		a.Close()
	}
	writeReport(t, "sync killed (SIGKILL) at ten points, then restarted", rows)
}

// recover runs the connection's next sync after the kill and asserts the
// store converged: want active users, the leavers inactive, nobody twice,
// the killed run marked failed, and a further full run changes nothing.
func (cp *crashPoint) recover(t *testing.T, a *app.App, want int) reportRow {
	t.Helper()
	ctx := context.Background()
	runs, err := a.Store.ListRuns(ctx, store.RunQuery{Connection: "corp", Limit: 1})
	if err != nil || len(runs) != 1 || runs[0].Status != store.RunRunning {
		t.Fatalf("%s: the killed run is %+v (%v), want it still marked running", cp.label, runs, err)
	}
	killed := runs[0].ID
	row := reportRow{Directory: "OpenLDAP, SQLite", Fault: "sync killed (SIGKILL)", Point: cp.label,
		Failed: fmt.Sprintf("killed with %d users stored", cp.committed)}
	rep, code := cp.c.sync("corp")
	if code != 0 || rep.Status != store.RunSucceeded {
		t.Errorf("%s: sync after the kill: exit %d %s %q", cp.label, code, rep.Status, rep.Error)
	}
	if r, _ := a.Store.GetRun(ctx, killed); r.Status != store.RunFailed || !strings.Contains(r.Error, "interrupted") {
		t.Errorf("%s: the killed run is %s %q, want failed as interrupted", cp.label, r.Status, r.Error)
	}
	row.Error = "(killed run) " + firstLine(mustRun(t, a, killed).Error)
	if got := activeUsers(t, a, "corp"); got != int64(want) {
		t.Errorf("%s: %d active users after recovery, want %d", cp.label, got, want)
	}
	if got := usersOf(t, a); got != int64(want+20) {
		t.Errorf("%s: %d users in the store, want %d (duplicates or losses)", cp.label, got, want+20)
	}
	seen := map[string]bool{}
	if err := a.Store.ScanIndex(ctx, "corp", func(e store.IndexEntry) error {
		if seen[e.ExternalID] {
			return errors.New("duplicate external id " + e.ExternalID)
		}
		seen[e.ExternalID] = true
		return nil
	}); err != nil {
		t.Errorf("%s: %v", cp.label, err)
	}
	row.Recovery = fmt.Sprintf("%s, +%d −%d", rep.Status, rep.Created, rep.Deactivated)
	again, code := cp.c.sync("corp", "--full")
	if code != 0 || again.Created+again.Updated+again.Deactivated != 0 {
		t.Errorf("%s: full run after recovery: exit %d %+v, want nothing to do", cp.label, code, again.Counts)
	}
	return row
}

func mustRun(t *testing.T, a *app.App, id int64) store.Run {
	t.Helper()
	r, err := a.Store.GetRun(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// waitFired waits until the point's armed fault has triggered.
func waitFired(t *testing.T, cp *crashPoint) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute) // the long form reads 50,000 users ten times at once
	for !cp.p.Fired() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the sync never reached its crash point (%d of %d bytes); it said:\n%s", cp.label, cp.p.Served(), cp.total, cp.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockSQLite takes the write lock of the SQLite store at path from another
// connection and returns the function that releases it.
func lockSQLite(t *testing.T, path string) func() {
	// The run may be writing: wait for its transaction as it would wait
	// for ours.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Error(err)
		return func() {}
	}
	conn, err := db.Conn(context.Background())
	if err == nil {
		_, err = conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE")
	}
	if err != nil {
		t.Errorf("lock the store: %v", err)
		db.Close()
		return func() {}
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
	}
}

// cloneDoc copies a connection document one level deep.
func cloneDoc(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	return out
}
