package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/faults"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// readerDN is the k-th low-privilege bind user of the fault tests; slapd
// stops its paged searches after a set number of entries.
func readerDN(k int) string { return fmt.Sprintf("cn=reader%02d,%s", k, slapd.Suffix) }

const readerPassword = "reader-secret"

// faultRig is a slapd with n users behind a fault proxy, and a store with a
// connection "corp" that reads it through the proxy.
type faultRig struct {
	t    *testing.T
	s    *slapd.Server
	p    *faults.Proxy
	c    *cli
	a    *app.App
	n    int
	conn string // the connection's name
	doc  map[string]any
	// changeDir deletes user r.next from the directory and adds another.
	changeDir func()
	total     int64 // server bytes of one clean full read
	// next numbers the per-case directory changes: case k deletes user k
	// and adds user n+k.
	next     int
	inactive int64
	// unlock is closed when a store lock taken by lockStore is released.
	unlock chan struct{}
}

// startFaultRig starts the rig. limits[k] is the number of entries reader k
// may read in one paged search.
func startFaultRig(t *testing.T, n int, limits []int) *faultRig {
	t.Helper()
	var ldif bytes.Buffer
	if err := slapd.WriteUsers(&ldif, n, 0); err != nil {
		t.Fatal(err)
	}
	for k := range limits {
		fmt.Fprintf(&ldif, "dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader%02d\nuserPassword: %s\n\n",
			readerDN(k), k, readerPassword)
	}
	s := slapd.StartLDIF(t, ldif.Bytes())
	if len(limits) > 0 {
		s.Stop()
		var conf strings.Builder
		for k, l := range limits {
			fmt.Fprintf(&conf, "limits dn.exact=%q size.soft=unlimited size.hard=unlimited size.prtotal=%d\n", readerDN(k), l)
		}
		f, err := os.OpenFile(filepath.Join(s.Dir, "slapd.conf"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteString(conf.String())
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
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
	doc["timeoutSeconds"] = 1
	c.apply(doc)
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	r := &faultRig{t: t, s: s, p: p, c: c, a: a, n: n, conn: "corp", doc: doc}
	r.changeDir = r.changeLDAP
	r.prime()
	return r
}

// prime runs the first sync and measures a clean full read.
func (r *faultRig) prime() {
	r.t.Helper()
	if rep, code := r.c.sync(r.conn, "--full"); code != 0 || rep.Created != r.n {
		r.t.Fatalf("first sync: exit %d %+v", code, rep.Counts)
	}
	r.p.Disarm()
	if rep, code := r.c.sync(r.conn, "--full"); code != 0 || rep.Unchanged != r.n {
		r.t.Fatalf("second sync: exit %d %+v", code, rep.Counts)
	}
	r.total = r.p.Served()
}

// changeLDAP deletes user r.next from slapd and adds user n+r.next.
func (r *faultRig) changeLDAP() {
	r.t.Helper()
	l, err := ldapv3.DialURL(r.s.URL())
	if err != nil {
		r.t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		r.t.Fatal(err)
	}
	if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(r.next), nil)); err != nil {
		r.t.Fatal(err)
	}
	// The same attributes as a generated user, so that a full read stays
	// about as long as the one the fault points were measured on.
	addGeneratedUser(r.t, l, r.n+r.next)
}

// faultCase is one fault, injected at each point of a run in turn.
type faultCase struct {
	name string
	// arm injects the fault; heal removes it. Either may be nil.
	arm, heal func(r *faultRig, at int64)
	// want is a phrase the run's one-line error must contain.
	want string
	// incremental runs both syncs without --full: the fault hits an
	// incremental read.
	incremental bool
}

// args are the sync arguments of the case's mode.
func (tc faultCase) args() []string {
	if tc.incremental {
		return nil
	}
	return []string{"--full"}
}

// check runs one faulted sync and then a healed one, and asserts the
// outcome every fault must have: the faulted run failed with a clear
// one-line error and deactivated nobody; the next run converged.
func (r *faultRig) check(tc faultCase, k, points int) reportRow {
	t := r.t
	t.Helper()
	// One user leaves the directory and another joins, so that a run that
	// reads everything has one user to deactivate and one to create.
	r.next++
	r.changeDir()
	at := faultPoints(r.total, points)[k]
	if tc.arm != nil {
		tc.arm(r, at)
	}
	rep, code := r.c.sync(r.conn, tc.args()...)
	if tc.heal != nil {
		tc.heal(r, at)
	}
	r.p.Disarm()
	row := reportRow{Fault: tc.name, Error: firstLine(rep.Error)}
	if code != exitFailed || rep.Status != store.RunFailed || rep.Deactivated != 0 {
		t.Errorf("%s at %d/%d bytes: exit %d status %s deactivated %d error %q, want a failed run that deactivated nobody",
			tc.name, at, r.total, code, rep.Status, rep.Deactivated, rep.Error)
	}
	if strings.Contains(rep.Error, "\n") || !strings.Contains(rep.Error, tc.want) {
		t.Errorf("%s: error %q, want one line naming %q", tc.name, rep.Error, tc.want)
	}
	if got := r.inactiveUsers(); got != r.inactive {
		t.Errorf("%s: %d inactive users after the faulted run, want %d", tc.name, got, r.inactive)
	}
	row.Failed = fmt.Sprintf("%s, %d deactivated", rep.Status, rep.Deactivated)

	rep, code = r.c.sync(r.conn, tc.args()...)
	r.total = r.p.Served() // a clean read in this mode of the directory as it is now
	r.inactive++
	if tc.incremental && rep.Mode != store.ModeIncremental {
		t.Errorf("%s: the run after the fault is %s, want incremental", tc.name, rep.Mode)
	}
	if code != 0 || rep.Status != store.RunSucceeded || rep.Deactivated != 1 || rep.Created > 1 {
		t.Errorf("%s: run after the fault: exit %d %s %+v %q, want one deactivated", tc.name, code, rep.Status, rep.Counts, rep.Error)
	}
	if got := activeUsers(t, r.a, r.conn); got != int64(r.n) {
		t.Errorf("%s: %d active users after recovery, want %d", tc.name, got, r.n)
	}
	if got := r.inactiveUsers(); got != r.inactive {
		t.Errorf("%s: %d inactive users after recovery, want %d", tc.name, got, r.inactive)
	}
	row.Recovery = fmt.Sprintf("%s, +%d −%d", rep.Status, rep.Created, rep.Deactivated)
	return row
}

func (r *faultRig) inactiveUsers() int64 {
	r.t.Helper()
	counts, err := r.a.Store.UserCounts(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	var n int64
	for _, c := range counts {
		if c.Connection == r.conn && c.Status == store.StatusInactive {
			n += c.Users
		}
	}
	return n
}

// killSlapd kills the directory server with SIGKILL, as a crash would. It
// runs on the proxy's goroutine, so it only signals: the test's goroutine
// reaps the process before restarting it.
func (r *faultRig) killSlapd() {
	raw, err := os.ReadFile(filepath.Join(r.s.Dir, "slapd.pid"))
	if err != nil {
		r.t.Error(err)
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		r.t.Error(err)
		return
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		r.t.Error(err)
	}
}

// TestFaultsDuringRunLDAP breaks an OpenLDAP read at ten points from the
// first page to the last: the connection cut or reset, a page that never
// arrives, the server killed, and the bind user's size limit reached. A run
// that read only part of the directory must fail, say why in one line and
// deactivate nobody; the next run, with the fault gone, converges.
func TestFaultsDuringRunLDAP(t *testing.T) {
	n := reliabilityScale(300, 20000)
	points := reliabilityScale(10, 20)
	limits := make([]int, points)
	for k := range limits {
		limits[k] = n * (2*k + 1) / (2 * points)
	}
	r := startFaultRig(t, n, limits)
	proxy := func(a faults.Action) func(*faultRig, int64) {
		return func(r *faultRig, at int64) { r.p.Arm(a, at, nil) }
	}
	cases := []faultCase{
		{name: "connection cut (FIN)", arm: proxy(faults.Cut), want: "connection"},
		{name: "connection reset (RST)", arm: proxy(faults.Reset), want: "connection"},
		{name: "page never arrives (stall, timeoutSeconds 1)", arm: proxy(faults.Stall), want: "sent nothing"},
		{name: "slapd killed (SIGKILL)", want: "connection",
			arm: func(r *faultRig, at int64) { r.p.Arm(faults.Hook, at, r.killSlapd) },
			heal: func(r *faultRig, _ int64) {
				r.s.Stop() // reaps the killed process
				if err := r.s.Restart(context.Background()); err != nil {
					r.t.Fatal(err)
				}
			}},
	}
	var rows []reportRow
	for _, tc := range cases {
		for k := range points {
			row := r.check(tc, k, points)
			row.Directory, row.Point = "OpenLDAP", pct(k, points)
			rows = append(rows, row)
		}
	}
	for k := range limits {
		tc := faultCase{name: "size limit (slapd size.prtotal)", want: "stopped by a server limit",
			arm: func(r *faultRig, _ int64) {
				r.doc["username"], r.doc["password"] = readerDN(k), readerPassword
				r.c.apply(r.doc)
			},
			heal: func(r *faultRig, _ int64) {
				r.doc["username"], r.doc["password"] = slapd.AdminDN, slapd.AdminPassword
				r.c.apply(r.doc)
			}}
		row := r.check(tc, k, points)
		row.Directory, row.Point = "OpenLDAP", fmt.Sprintf("entry %d of %d", limits[k], n)
		rows = append(rows, row)
	}
	writeReport(t, "Directory faults during a full run (OpenLDAP)", rows)

	// The same faults in an incremental run, whose read holds only the
	// changes. Two clean ones first: the first after full runs reads more
	// (syncrepl's present phase), the second measures a typical read.
	for range 2 {
		r.next++
		r.changeDir()
		r.p.Disarm()
		if rep, code := r.c.sync(r.conn); code != 0 || rep.Mode != store.ModeIncremental || rep.Deactivated != 1 {
			t.Fatalf("incremental run: exit %d %s %+v", code, rep.Mode, rep.Counts)
		}
		r.inactive++
		r.total = r.p.Served()
	}
	rows = rows[:0]
	incremental := cases[:3]
	for i, tc := range incremental {
		tc.incremental = true
		for k := range points {
			// The default run takes each point once, the faults in turn.
			if !reliabilityLong() && k%len(incremental) != i {
				continue
			}
			row := r.check(tc, k, points)
			row.Directory, row.Point = "OpenLDAP", pct(k, points)
			rows = append(rows, row)
		}
	}
	writeReport(t, "Directory faults during an incremental run (OpenLDAP)", rows)
}

// TestFaultsDuringOneUserAdd breaks the directory search of `users add` (a
// one-user run) at ten points. The query matches nine users who are not in
// the store yet, so a search cut short after one entry must not pass for
// "one match" and provision that user: every faulted add fails with exit 1
// and creates nobody; with the fault gone, the nine are listed (exit 2).
func TestFaultsDuringOneUserAdd(t *testing.T) {
	n := 300
	r := startFaultRig(t, n, nil)
	l := adminConn(t, r.s)
	for i := 1001; i <= 1009; i++ {
		addGeneratedUser(t, l, i)
	}
	const query = "user00100" // user001001 … user001009
	r.p.Disarm()
	if out, code := r.c.run("users", "add", "--connection", "corp", query); code != exitUsage || strings.Count(out, "uid=user00100") != 9 {
		t.Fatalf("clean add: exit %d, want 2 listing nine entries:\n%s", code, out)
	}
	total := r.p.Served()
	points := reliabilityScale(10, 20)
	var rows []reportRow
	for _, action := range []faults.Action{faults.Cut, faults.Reset} {
		for k, at := range faultPoints(total, points) {
			r.p.Arm(action, at, nil)
			out, code := r.c.run("users", "add", "--connection", "corp", query)
			r.p.Disarm()
			if code != exitFailed || strings.Contains(out, "\n\n") {
				t.Errorf("%s at %d/%d bytes: exit %d, want 1 with one line:\n%s", action, at, total, code, out)
			}
			if got := usersOf(t, r.a); got != int64(n) {
				t.Errorf("%s at %d/%d bytes: %d users in the store, want %d: a partial search provisioned someone", action, at, total, got, n)
			}
			rows = append(rows, reportRow{Directory: "OpenLDAP", Fault: "connection " + action.String() + " during `users add`",
				Point: pct(k, points), Failed: fmt.Sprintf("exit %d, nobody created", code), Error: firstLine(strings.TrimSpace(out)),
				Recovery: "clean add lists the nine (exit 2)"})
		}
	}
	if out, code := r.c.run("users", "add", "--connection", "corp", query); code != exitUsage || strings.Count(out, "uid=user00100") != 9 {
		t.Fatalf("clean add after the faults: exit %d, want 2 listing nine entries:\n%s", code, out)
	}
	if out, code := r.c.run("users", "add", "--connection", "corp", "user001001"); code != 0 || usersOf(t, r.a) != int64(n+1) {
		t.Fatalf("add of one user after the faults: exit %d, %d users:\n%s", code, usersOf(t, r.a), out)
	}
	writeReport(t, "Directory faults during a one-user add (OpenLDAP)", rows)
}
