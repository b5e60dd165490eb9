package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/faults"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// lockStore takes SQLite's write lock on the rig's store from another
// connection, as another process would, and holds it for hold.
func (r *faultRig) lockStore(hold time.Duration) {
	release := lockSQLite(r.t, r.c.db)
	r.unlock = make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		time.Sleep(hold)
		release()
	}(r.unlock)
}

// TestStoreFaultsDuringRun locks the SQLite store from another connection
// in the middle of a read, for longer than the store waits for a lock
// (busy_timeout, 10 s). The run must fail naming the lock, deactivate
// nobody, and the next run converge.
func TestStoreFaultsDuringRun(t *testing.T) {
	r := startFaultRig(t, reliabilityScale(300, 20000), nil)
	points := reliabilityScale(1, 3)
	tc := faultCase{name: "SQLite store locked by another connection (11 s)", want: "locked",
		arm: func(r *faultRig, at int64) {
			r.p.Arm(faults.Notify, at, func() { r.lockStore(11 * time.Second) })
		},
		heal: func(r *faultRig, _ int64) {
			if r.unlock != nil {
				<-r.unlock
			}
		}}
	var rows []reportRow
	for k := range points {
		row := r.check(tc, k, points)
		row.Directory, row.Point = "OpenLDAP, SQLite", fmt.Sprintf("read %s", pct(k, points))
		rows = append(rows, row)
	}
	writeReport(t, "Store faults during a full run", rows)
}

// TestStoreDiskFullDuringRun runs a sync whose store lives on a tmpfs with
// little room left (in a private mount namespace, so nothing outside the
// test sees it), while the directory gained many users: the store's disk
// fills up in the middle of the writes. The run must fail naming the full
// disk and deactivate nobody; the next run, with room again, converges.
func TestStoreDiskFullDuringRun(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("USERSYNC_INTEGRATION") == "1" {
			t.Fatal("a full disk is simulated with a tmpfs, which needs root; USERSYNC_INTEGRATION=1 requires it")
		}
		t.Skip("a full disk is simulated with a tmpfs, which needs root")
	}
	r := startFaultRig(t, reliabilityScale(300, 20000), nil)
	r.next++
	r.changeDir() // one user leaves, one joins
	added := 300
	l := adminConn(t, r.s)
	for i := 1; i <= added; i++ {
		addGeneratedUser(t, l, 100000+i)
	}
	if err := r.a.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	st, err := os.Stat(r.c.db)
	if err != nil {
		t.Fatal(err)
	}
	mnt, out := t.TempDir(), t.TempDir()
	// Room for the store as it is, its shared-memory index (32 KiB) and a
	// little more: far less than 300 new users take.
	const headroom = 96 << 10
	script := `set -e
mount -t tmpfs -o size=$SIZE tmpfs "$MNT"
cp "$DB" "$MNT/usersync.db"
set +e
"$BIN" sync corp --json --full --db "$MNT/usersync.db"
rc=$?
cp "$MNT"/usersync.db* "$OUT"/
exit $rc`
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "USERSYNC_TEST_AS_MAIN=1", "BIN="+os.Args[0], "DB="+r.c.db, "MNT="+mnt, "OUT="+out,
		"USERSYNC_SECRET_KEY_FILE="+filepath.Join(filepath.Dir(r.c.db), "usersync.key"),
		fmt.Sprintf("SIZE=%d", st.Size()+headroom))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		t.Fatalf("sync on a full disk: %v, want exit %d\n%s\n%s", err, exitFailed, stdout.String(), stderr.String())
	}
	var rep reconcile.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("no report: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	// The store as the failed run left it becomes the test's store again.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(r.c.db + suffix)
		if raw, err := os.ReadFile(filepath.Join(out, "usersync.db"+suffix)); err == nil {
			if err := os.WriteFile(r.c.db+suffix, raw, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r.a, err = openApp(context.Background(), r.c.db, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.a.Close() })
	row := reportRow{Directory: "OpenLDAP, SQLite", Fault: "store's disk full (tmpfs)", Point: fmt.Sprintf("writing %d new users", added),
		Error: firstLine(rep.Error), Failed: fmt.Sprintf("%s, %d deactivated", rep.Status, rep.Deactivated)}
	stored, err := r.a.Store.GetRun(context.Background(), rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != store.RunFailed || stored.Status != store.RunFailed || rep.Deactivated != 0 || !strings.Contains(rep.Error, "full") || strings.Contains(rep.Error, "\n") {
		t.Errorf("run on a full disk: %s (stored %s), deactivated %d, error %q; want failed naming the full disk, nobody deactivated",
			rep.Status, stored.Status, rep.Deactivated, rep.Error)
	}
	if got := r.inactiveUsers(); got != r.inactive {
		t.Errorf("%d inactive users after the failed run, want %d", got, r.inactive)
	}
	rep2, code := r.c.sync("corp", "--full")
	if code != 0 || rep2.Deactivated != 1 || activeUsers(t, r.a, "corp") != int64(r.n+added) {
		t.Errorf("run with room again: exit %d %+v, %d active; want %d active, one deactivated", code, rep2.Counts, activeUsers(t, r.a, "corp"), r.n+added)
	}
	row.Recovery = fmt.Sprintf("%s, +%d −%d", rep2.Status, rep2.Created, rep2.Deactivated)
	writeReport(t, "Store's disk full during a full run", []reportRow{row})
}

// addGeneratedUser adds user i with a generated user's attributes.
func addGeneratedUser(t *testing.T, l *ldapv3.Conn, i int) {
	t.Helper()
	add := ldapv3.NewAddRequest(slapd.UserDN(i), nil)
	add.Attribute("objectClass", []string{"inetOrgPerson"})
	add.Attribute("uid", []string{slapd.UID(i)})
	for _, a := range [][2]string{{"cn", fmt.Sprintf("Given%d Family%d", i, i)}, {"sn", fmt.Sprintf("Family%d", i)},
		{"givenName", fmt.Sprintf("Given%d", i)}, {"displayName", fmt.Sprintf("Given%d Family%d", i, i)},
		{"mail", slapd.UID(i) + "@example.com"}, {"telephoneNumber", fmt.Sprintf("+1 555 %07d", i)},
		{"title", fmt.Sprintf("Title %d", i%7)}, {"ou", slapd.Departments[i%len(slapd.Departments)]},
		{"l", fmt.Sprintf("City%d", i%13)}, {"employeeNumber", strconv.Itoa(i)}} {
		add.Attribute(a[0], []string{a[1]})
	}
	if err := l.Add(add); err != nil {
		t.Fatal(err)
	}
}
