package reconcile

import (
	"context"
	"fmt"
	"hash/maphash"
	"runtime"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// fakeUsers serves ScanIndex from generated rows; the other methods are
// not used by loadIndex.
type fakeUsers struct {
	store.Users
	n int
}

func (f fakeUsers) ScanIndex(_ context.Context, _ string, fn func(store.IndexEntry) error) error {
	for i := 1; i <= f.n; i++ {
		e := store.IndexEntry{ID: int64(i), ExternalID: fmt.Sprintf("%08x-7c5e-103f-8a4b-%012x", i, i*7919),
			UserID: fmt.Sprintf("user%06d", i), Status: store.StatusActive, Hash: uint64(i) * 0x9e3779b97f4a7c15}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// TestIndexBytesPerUser measures what the index costs per stored user, the
// one piece of run state that grows with the directory.
func TestIndexBytesPerUser(t *testing.T) {
	const n = 100_000
	bytesPerUser(t, "index (entryUUID-sized ids)", n, 120, func() any {
		ix, err := loadIndex(context.Background(), fakeUsers{n: n}, "c")
		if err != nil {
			t.Fatal(err)
		}
		return ix
	})
}

// bytesPerUser measures the heap that build leaves live, per user of n,
// and fails the test when it is over budget bytes.
func bytesPerUser(t *testing.T, what string, n int, budget float64, build func() any) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
	t.Logf("%s: %.0f bytes per user (%d users)", what, per, n)
	if per > budget {
		t.Errorf("%s costs %.0f bytes per user, over the %.0f-byte budget", what, per, budget)
	}
	runtime.KeepAlive(kept)
}

// TestExtTableCollisions forces every string onto one hash (a fixed seed
// cannot do that, so the test fills the map by hand) and checks that the
// fallback keeps lookups exact.
func TestExtTableCollisions(t *testing.T) {
	tests := []struct {
		name    string
		collide bool
	}{
		{"distinct hashes", false},
		{"every hash shared", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := newExtTable()
			ids := []string{"a", "b", "", "entryUUID-1", "a "}
			for i, id := range ids {
				if tt.collide && i > 0 {
					// Point id's hash at the previous id's slot, as a
					// real collision would.
					tab.slots[hashOf(&tab, id)] = tab.slots[hashOf(&tab, ids[0])]
				}
				slot, added := tab.add(id)
				if !added || int(slot) != i {
					t.Fatalf("add(%q) = %d, %v; want %d, true", id, slot, added, i)
				}
				if again, added := tab.add(id); added || again != slot {
					t.Fatalf("second add(%q) = %d, %v", id, again, added)
				}
			}
			for i, id := range ids {
				if slot, ok := tab.find(id); !ok || int(slot) != i || tab.str(slot) != id {
					t.Fatalf("find(%q) = %d, %v", id, slot, ok)
				}
			}
			if _, ok := tab.find("missing"); ok {
				t.Fatal("found a string never added")
			}
		})
	}
}

func hashOf(t *extTable, s string) uint64 { return maphash.String(t.seed, s) }

// TestUserIDClaimsBytesPerUser: a first sync claims a userId for every user
// it creates, so the claims grow with the directory like the index. They
// must not copy what the run already holds (the created external ids) nor
// keep a userId twice when it is its own key.
func TestUserIDClaimsBytesPerUser(t *testing.T) {
	const n = 100_000
	created := newExtSet()
	exts := make([]string, n)
	ids := make([]string, n)
	for i := range n {
		exts[i] = fmt.Sprintf("%08x-1234-4abc-8def-%012x", i*7919, i)
		ids[i] = fmt.Sprintf("user%06d@example.com", i)
		created.add(exts[i])
	}
	c := &userIDClaims{ids: newExtTable(), orig: newExtTable(), created: created, inited: true}
	bytesPerUser(t, "userId claims", n, 70, func() any {
		for i := range n {
			if holder, ok := c.take(nil, "c", ids[i], 0, exts[i]); !ok {
				t.Fatalf("claim %d refused: held by %s", i, holder)
			}
		}
		return c
	})
	if holder, ok := c.take(nil, "c", "USER000007@example.com", 0, "another"); ok ||
		holder != fmt.Sprintf(`user "user000007@example.com" of connection "c" (%s, created by this run)`, exts[7]) {
		t.Fatalf("a second claim of a userId: %q, %v", holder, ok)
	}
}
