package reconcile

import (
	"github.com/usersync/usersync/internal/mapping"
)

// FNV-1a, 64 bits (the same values as hash/fnv's New64a).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// entryHash summarises what the directory says about a user under a given
// mapping set. FNV-1a is not cryptographic and need not be: it only has to
// change when the input changes, and it is stable across processes, unlike
// hash/maphash. It is computed inline over the strings, with the same
// values as hash/fnv: through the hash.Hash interface every []byte(s)
// conversion allocated, once per field of every entry of every run.
func entryHash(fingerprint, userID, status string, fields []mapping.Field) uint64 {
	return entryHashFrom(fingerprintHash(fingerprint), userID, status, fields)
}

// fingerprintHash is the state of entryHash after the fingerprint, the
// same for every entry of a run: the planner computes it once.
func fingerprintHash(fingerprint string) uint64 {
	return fnvByte(fnvString(fnvOffset64, fingerprint), 0)
}

// entryHashFrom is entryHash continued from fingerprintHash's state.
func entryHashFrom(h uint64, userID, status string, fields []mapping.Field) uint64 {
	h = fnvString(h, userID)
	h = fnvByte(h, 0)
	h = fnvString(h, status)
	for _, f := range fields {
		h = fnvByte(h, 0)
		h = fnvString(h, f.Name)
		h = fnvByte(h, 1)
		h = fnvString(h, f.Value)
	}
	return h
}

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

func fnvByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	h *= fnvPrime64
	return h
}
