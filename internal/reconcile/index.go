package reconcile

import (
	"context"
	"hash/maphash"

	"github.com/usersync/usersync/internal/store"
)

// ref is what a run remembers about one stored user: enough to skip an
// unchanged entry without reading its row, and to find who vanished.
type ref struct {
	id     int64
	hash   uint64
	slot   int32
	active bool
	seen   bool
	// retired is set when relink set the user aside under a tombstone
	// external id: lookups of its old id miss from then on.
	retired bool
}

// index maps a connection's external ids to stored users. It is the one
// piece of run state that grows with the directory, so it holds no pointer
// per user: the ids and userIds sit in byte arenas, the refs in a few blocks,
// and a map from a 64-bit hash of the id to the slot. That is about 115
// bytes a user with entryUUID ids (a map of strings to *ref cost 147) and,
// as it holds one pointer per block of refBlock refs and no other, the
// garbage collector has next to nothing to scan in it. An incremental run
// fills it with only the users its changes name (deltaIndex).
type index struct {
	ids extTable
	// refs holds the refs in blocks of refBlock, each allocated once at
	// its full size: a block never moves, so a *ref stays valid while an
	// incremental run adds users between read batches.
	refs   [][]ref
	uids   []byte   // userIds, back to back
	uidEnd []uint32 // slot → end of its userId in uids
	// since is when an inactive user was deactivated (Unix seconds), for
	// the deactivateThenDelete leave policy; only users with a known date
	// are in it, so it stays small, and it holds no pointers either.
	since map[int32]int64
	// tombs are the tombstone external ids of retired users, by slot.
	tombs  map[int32]string
	active int
}

func loadIndex(ctx context.Context, s store.Users, conn string) (*index, error) {
	ix := newIndex()
	err := s.ScanIndex(ctx, conn, func(e store.IndexEntry) error {
		ix.load(e)
		return nil
	})
	return ix, err
}

func newIndex() *index { return &index{ids: newExtTable()} }

// load adds one stored user to the index and counts it when active.
func (ix *index) load(e store.IndexEntry) {
	if ix.add(e) && e.Status == store.StatusActive {
		ix.active++
	}
}

// add adds one stored user to the index without counting it, and reports
// whether it was new. A user whose external id is already in the index is
// left as the run knows it.
func (ix *index) add(e store.IndexEntry) bool {
	slot, added := ix.ids.add(e.ExternalID)
	if !added {
		return false
	}
	r := ref{id: e.ID, hash: e.Hash, slot: slot, active: e.Status == store.StatusActive}
	if !e.InactiveSince.IsZero() {
		if ix.since == nil {
			ix.since = make(map[int32]int64)
		}
		ix.since[slot] = e.InactiveSince.Unix()
	}
	if n := len(ix.refs); n == 0 || len(ix.refs[n-1]) == refBlock {
		ix.refs = append(ix.refs, make([]ref, 0, refBlock))
	}
	last := &ix.refs[len(ix.refs)-1]
	*last = append(*last, r) // within the block's capacity: nothing moves
	ix.uids = append(ix.uids, e.UserID...)
	ix.uidEnd = append(ix.uidEnd, uint32(len(ix.uids)))
	return true
}

// refBlock is how many refs one block of the index holds.
const refBlock = 4096

// lookup returns the stored user linked to ext, or nil. The pointer stays
// valid for the run, also when users are added later.
func (ix *index) lookup(ext string) *ref {
	slot, ok := ix.ids.find(ext)
	if !ok {
		return nil
	}
	r := &ix.refs[slot/refBlock][slot%refBlock]
	if r.retired {
		return nil
	}
	return r
}

// each calls fn for every stored user with its external id (a retired
// user's tombstone id), in load order.
func (ix *index) each(fn func(ext string, r *ref)) {
	for _, b := range ix.refs {
		for i := range b {
			r := &b[i]
			fn(ix.ext(r), r)
		}
	}
}

// ext returns the external id of a stored user.
func (ix *index) ext(r *ref) string {
	if r.retired {
		return ix.tombs[r.slot]
	}
	return ix.ids.str(r.slot)
}

// retire sets r aside under the tombstone external id tomb: its old id
// no longer finds it.
func (ix *index) retire(r *ref, tomb string) {
	if ix.tombs == nil {
		ix.tombs = make(map[int32]string)
	}
	ix.tombs[r.slot] = tomb
	r.retired = true
}

// inactiveSince is when an inactive user was deactivated (Unix seconds),
// 0 when unknown.
func (ix *index) inactiveSince(r *ref) int64 { return ix.since[r.slot] }

// sameUserID reports whether r's stored userId is exactly u, without
// allocating.
func (ix *index) sameUserID(r *ref, u string) bool { return string(ix.uidBytes(r)) == u }

// userID returns the stored userId of a user.
func (ix *index) userID(r *ref) string { return string(ix.uidBytes(r)) }

func (ix *index) uidBytes(r *ref) []byte {
	start := uint32(0)
	if r.slot > 0 {
		start = ix.uidEnd[r.slot-1]
	}
	return ix.uids[start:ix.uidEnd[r.slot]]
}

// extTable numbers distinct strings densely (0, 1, 2, ...) and finds them
// again, exactly, at a few dozen bytes a string and no pointer per string.
// A 64-bit hash of the string leads to its slot; the strings themselves are
// kept in one arena to confirm every match, and the rare strings whose
// hashes collide are kept in a small fallback map.
type extTable struct {
	seed  maphash.Seed
	slots map[uint64]int32 // hash → slot, or spilled when strings share it
	spill map[string]int32 // strings whose hash is shared, by value
	ends  []uint32         // slot → end of its string in arena
	arena []byte
}

// spilled marks a hash shared by several strings: look in spill.
const spilled = -1

func newExtTable() extTable {
	return extTable{seed: maphash.MakeSeed(), slots: make(map[uint64]int32)}
}

// str returns the string in a slot.
func (t *extTable) str(slot int32) string { return string(t.bytes(slot)) }

func (t *extTable) bytes(slot int32) []byte {
	start := uint32(0)
	if slot > 0 {
		start = t.ends[slot-1]
	}
	return t.arena[start:t.ends[slot]]
}

// find returns the slot of s.
func (t *extTable) find(s string) (int32, bool) {
	slot, ok := t.slots[maphash.String(t.seed, s)]
	switch {
	case !ok:
		return 0, false
	case slot == spilled:
		slot, ok = t.spill[s]
		return slot, ok
	case string(t.bytes(slot)) == s: // compared without allocating
		return slot, true
	}
	return 0, false
}

// add returns the slot of s, numbering it first if it is new.
func (t *extTable) add(s string) (slot int32, added bool) {
	h := maphash.String(t.seed, s)
	old, ok := t.slots[h]
	switch {
	case !ok:
		slot = t.push(s)
		t.slots[h] = slot
		return slot, true
	case old == spilled:
		if slot, ok := t.spill[s]; ok {
			return slot, false
		}
	case string(t.bytes(old)) == s:
		return old, false
	default: // a second string with this hash: both move to spill
		if t.spill == nil {
			t.spill = make(map[string]int32)
		}
		t.spill[t.str(old)] = old
		t.slots[h] = spilled
	}
	slot = t.push(s)
	t.spill[s] = slot
	return slot, true
}

func (t *extTable) push(s string) int32 {
	t.arena = append(t.arena, s...)
	t.ends = append(t.ends, uint32(len(t.arena)))
	return int32(len(t.ends) - 1)
}

// extSet is a set of external ids with extTable's compact layout: the
// planner's record of the users a run created, to catch two entries that
// share an id.
type extSet struct{ t extTable }

func newExtSet() *extSet { return &extSet{t: newExtTable()} }

// has reports whether s was added.
func (s *extSet) has(ext string) bool {
	_, ok := s.t.find(ext)
	return ok
}

// add adds s.
func (s *extSet) add(ext string) { s.t.add(ext) }
