package main

import (
	"context"
	"testing"

	"github.com/usersync/usersync/internal/faults"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// enabledUser is the k-th generated AD user that is not disabled (every
// tenth generated user is).
func enabledUser(k int) int { return k + (k-1)/9 }

// startADFaultRig starts a Samba AD DC with adUsers users behind a fault
// proxy on the DC's own loopback address (so that its certificate still
// verifies), and a store with a connection "ad" through the proxy.
func startADFaultRig(t *testing.T) *faultRig {
	t.Helper()
	dc := samba.StartWithUsers(t, adUsers)
	p, err := faults.Listen(dc.Host, dc.Host+":636")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	c := newCLI(t)
	t.Setenv("USERSYNC_LOG_LEVEL", "error")
	// The connection reads users 1 to 99 and the ones the test adds
	// (1001 and up), so that the eighty runs stay short; twenty pages.
	doc := adDoc(dc, map[string]any{"port": p.Port(), "pageSize": 5, "timeoutSeconds": 1,
		"searchFilter": "(&(objectClass=user)(objectCategory=person)(|(sAMAccountName=user000*)(sAMAccountName=user010*)))"})
	if reliabilityLong() {
		doc["searchFilter"], doc["pageSize"] = adFilter, adUsers/20
	}
	c.apply(doc)
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	r := &faultRig{t: t, p: p, c: c, a: a, n: 90, conn: "ad", doc: doc}
	if reliabilityLong() {
		r.n = adUsers * 9 / 10
	}
	r.changeDir = func() {
		dc.Delete(t, samba.GeneratedUserDN(enabledUser(r.next)))
		dc.AddUsers(t, 1, func(int) samba.UserSpec { return samba.GeneratedUser(adUsers + enabledUser(r.next)) })
	}
	r.prime()
	return r
}

// TestFaultsDuringRunAD breaks an Active Directory (Samba AD DC, LDAPS) read
// at ten points from the first page to the last: the connection cut or
// reset, a page that never arrives, and the DC's host gone (connections
// closed and new ones refused). Each faulted run must fail in one line and
// deactivate nobody; the next run converges. The default run puts one of
// the four faults at each point; USERSYNC_RELIABILITY_LONG=1 puts all four
// at twenty points over all the DC's users.
func TestFaultsDuringRunAD(t *testing.T) {
	r := startADFaultRig(t)
	points := reliabilityScale(10, 20)
	proxy := func(a faults.Action) func(*faultRig, int64) {
		return func(r *faultRig, at int64) { r.p.Arm(a, at, nil) }
	}
	cases := []faultCase{
		{name: "connection cut (FIN)", arm: proxy(faults.Cut), want: "connection lost"},
		{name: "connection reset (RST)", arm: proxy(faults.Reset), want: "connection lost"},
		{name: "page never arrives (stall, timeoutSeconds 1)", arm: proxy(faults.Stall), want: "sent nothing"},
		{name: "DC host gone (closed, then refused)", arm: proxy(faults.Down), want: "connection lost"},
	}
	var rows []reportRow
	for i, tc := range cases {
		for k := range points {
			// The default run takes each point once, the four faults in
			// turn, to stay short; the long form takes every fault at
			// every point.
			if !reliabilityLong() && k%len(cases) != i {
				continue
			}
			row := r.check(tc, k, points)
			row.Directory, row.Point = "Samba AD", pct(k, points)
			rows = append(rows, row)
		}
	}
	writeReport(t, "Directory faults during a full run (Active Directory)", rows)
}
