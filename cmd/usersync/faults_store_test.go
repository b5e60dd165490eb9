package main

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/faults"
)

// lockStore takes SQLite's write lock on the rig's store from another
// connection, as another process would, and holds it for hold.
func (r *faultRig) lockStore(hold time.Duration) {
	db, err := sql.Open("sqlite", "file:"+r.c.db)
	if err != nil {
		r.t.Error(err)
		return
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		r.t.Error(err)
		db.Close()
		return
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		r.t.Errorf("lock the store: %v", err)
		conn.Close()
		db.Close()
		return
	}
	r.unlock = make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		time.Sleep(hold)
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
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
