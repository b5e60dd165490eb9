package reconcile

import (
	"hash/fnv"

	"github.com/usersync/usersync/internal/mapping"
)

// entryHash summarises what the directory says about a user under a given
// mapping set. FNV-1a is not cryptographic and need not be: it only has to
// change when the input changes, and it is stable across processes, unlike
// hash/maphash.
func entryHash(fingerprint, userID, status string, fields []mapping.Field) uint64 {
	h := fnv.New64a()
	h.Write([]byte(fingerprint))
	h.Write([]byte{0})
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(status))
	for _, f := range fields {
		h.Write([]byte{0})
		h.Write([]byte(f.Name))
		h.Write([]byte{1})
		h.Write([]byte(f.Value))
	}
	return h.Sum64()
}
