package reconcile

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// readCounter is a store that counts the index entries a run reads.
type readCounter struct {
	store.Store
	mu      sync.Mutex
	scans   int // whole-index scans
	scanned int // entries the scans gave
	looked  int // entries LookupIndex gave
}

func (c *readCounter) ScanIndex(ctx context.Context, conn string, fn func(store.IndexEntry) error) error {
	c.mu.Lock()
	c.scans++
	c.mu.Unlock()
	return c.Store.ScanIndex(ctx, conn, func(e store.IndexEntry) error {
		c.mu.Lock()
		c.scanned++
		c.mu.Unlock()
		return fn(e)
	})
}

func (c *readCounter) LookupIndex(ctx context.Context, conn string, exts []string) ([]store.IndexEntry, error) {
	es, err := c.Store.LookupIndex(ctx, conn, exts)
	c.mu.Lock()
	c.looked += len(es)
	c.mu.Unlock()
	return es, err
}

// changed returns a Changed change of user i with a new display name.
func changed(i int) directory.Change {
	e := adEntry(i, "512")
	e.Attrs["displayname"] = []string{"Renamed " + e.Attrs["displayname"][0]}
	return directory.Change{Kind: directory.Changed, Entry: e}
}

// An incremental run reads the index entries of the users its changes
// name, not the connection's: its reads grow with the changes. A delta
// that names more than a tenth of the connection loads the whole index
// once instead, and the outcome is the same.
func TestIncrementalReadsOnlyWhatChanged(t *testing.T) {
	const n = 1100
	many := make([]directory.Change, 0, 1050)
	for i := 1; i <= 1050; i++ {
		many = append(many, changed(i))
	}
	tests := []struct {
		name      string
		changes   []directory.Change
		want      store.Counts
		scans     int
		maxLooked int
	}{
		{name: "a few changes and deletions",
			changes: []directory.Change{changed(7), changed(300), {Kind: directory.Changed, Entry: adEntry(900, "514")},
				gone(directory.Deleted, 11), gone(directory.Left, 12), gone(directory.Deleted, 5000)},
			want: store.Counts{Updated: 2, Deactivated: 3, EntriesRead: 6}, scans: 0, maxLooked: 5},
		{name: "most of the connection",
			changes: many, want: store.Counts{Updated: 1050, EntriesRead: 1050}, scans: 1, maxLooked: 1050},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, j, dir := setup(t, n)
			rc := &readCounter{Store: e.Store}
			e.Store = rc
			dir.changes, dir.token = tt.changes, "t2"
			rep, err := e.Run(context.Background(), j)
			if err != nil || rep.Mode != store.ModeIncremental || rep.Counts != tt.want {
				t.Fatalf("run: %v, mode %s, counts %+v; want %+v", err, rep.Mode, rep.Counts, tt.want)
			}
			if rc.scans != tt.scans || rc.looked > tt.maxLooked {
				t.Fatalf("%d scans (%d entries) and %d entries looked up; want %d scans and at most %d looked up",
					rc.scans, rc.scanned, rc.looked, tt.scans, tt.maxLooked)
			}
			if tt.scans == 0 && rc.scanned != 0 {
				t.Fatalf("%d index entries scanned", rc.scanned)
			}
		})
	}
}

// A changed user whose new userId is held by a user the delta does not
// name is refused exactly as a full run refuses it.
func TestIncrementalRefusesTakenUserID(t *testing.T) {
	for _, full := range []bool{false, true} {
		name := "incremental"
		if full {
			name = "full"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e, j, dir := setup(t, 30)
			clash := adEntry(2, "512")
			clash.Attrs["userprincipalname"] = []string{"U5@example.test"}
			dir.changes, dir.token = []directory.Change{{Kind: directory.Changed, Entry: clash}}, "t2"
			if full {
				j.Full = true
				dir.entries[1] = clash
			}
			rep, err := e.Run(ctx, j)
			if err != nil || rep.Failed != 1 || rep.Updated != 0 {
				t.Fatalf("run: %v %+v", err, rep.Counts)
			}
			if full != (rep.Mode == store.ModeFull) {
				t.Fatalf("mode %s", rep.Mode)
			}
			failed, err := e.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{Action: store.ActionFailed})
			if err != nil || len(failed) != 1 {
				t.Fatalf("failed outcomes %+v, %v", failed, err)
			}
			if want := `userId "U5@example.test" is already held by`; !strings.Contains(failed[0].Reason, want) || !strings.Contains(failed[0].Reason, "u5@example.test") {
				t.Fatalf("reason %q, want it to name the holder u5@example.test", failed[0].Reason)
			}
			us, err := e.Store.FindUsers(ctx, "u2@example.test")
			if err != nil || len(us) != 1 || us[0].Status != store.StatusActive {
				t.Fatalf("user 2 after the run: %+v, %v", us, err)
			}
		})
	}
}

// A user renamed within its domain is updated in place; one moved to
// another domain is retired and created afresh, as in a full run; a
// deleted user is deactivated. The users the delta does not name stay.
func TestIncrementalRenameRelinkDelete(t *testing.T) {
	renamed := adEntry(3, "512")
	renamed.Attrs["userprincipalname"] = []string{"carol@example.test"}
	moved := adEntry(4, "512")
	moved.Attrs["userprincipalname"] = []string{"u4@other.test"}
	tests := []struct {
		name    string
		change  directory.Change
		want    store.Counts
		userID  string
		status  string
		actives int
	}{
		{"renamed", directory.Change{Kind: directory.Changed, Entry: renamed}, store.Counts{Updated: 1, EntriesRead: 1}, "carol@example.test", store.StatusActive, 10},
		{"moved to another domain", directory.Change{Kind: directory.Changed, Entry: moved}, store.Counts{Created: 1, Deactivated: 1, EntriesRead: 1}, "u4@other.test", store.StatusActive, 10},
		{"deleted", gone(directory.Deleted, 6), store.Counts{Deactivated: 1, EntriesRead: 1}, "u6@example.test", store.StatusInactive, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e, j, dir := setup(t, 10)
			dir.changes, dir.token = []directory.Change{tt.change}, "t2"
			rep, err := e.Run(ctx, j)
			if err != nil || rep.Mode != store.ModeIncremental || rep.Counts != tt.want {
				t.Fatalf("run: %v, mode %s, counts %+v; want %+v", err, rep.Mode, rep.Counts, tt.want)
			}
			us, err := e.Store.FindUsers(ctx, tt.userID)
			if err != nil || len(us) != 1 || us[0].Status != tt.status {
				t.Fatalf("%s after the run: %+v, %v", tt.userID, us, err)
			}
			if n := activeCount(t, e.Store); n != tt.actives {
				t.Fatalf("%d active users, want %d", n, tt.actives)
			}
		})
	}
}

// The deletion guard of an incremental run weighs the deletions against
// every active user of the connection, not only the users the delta names.
func TestIncrementalGuardCountsTheConnection(t *testing.T) {
	tests := []struct {
		name    string
		deletes int
		tips    bool
		actives int
	}{
		{"15 percent of 40 passes the 20 percent guard", 6, false, 34},
		{"22.5 percent of 40 trips it", 9, true, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, j, dir := setup(t, 40)
			dir.token = "t2"
			for i := 1; i <= tt.deletes; i++ {
				dir.changes = append(dir.changes, gone(directory.Deleted, i))
			}
			rep, err := e.Run(context.Background(), j)
			if tt.tips != errors.Is(err, ErrGuardTipped) || rep.Mode != store.ModeIncremental {
				t.Fatalf("run: %v, mode %s; want the guard to trip: %v", err, rep.Mode, tt.tips)
			}
			if tt.tips && rep.PendingDeactivations != tt.deletes || !tt.tips && rep.Deactivated != tt.deletes {
				t.Fatalf("counts %+v", rep.Counts)
			}
			if n := activeCount(t, e.Store); n != tt.actives {
				t.Fatalf("%d active users, want %d", n, tt.actives)
			}
		})
	}
}
