package reconcile

import (
	"hash/fnv"
	"testing"

	"github.com/usersync/usersync/internal/mapping"
)

// referenceHash is entryHash as it was written with hash/fnv: the stored
// hashes of existing users depend on these exact values.
func referenceHash(fingerprint, userID, status string, fields []mapping.Field) uint64 {
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

func TestEntryHashMatchesHashFNV(t *testing.T) {
	tests := []struct {
		name   string
		fp     string
		userID string
		status string
		fields []mapping.Field
	}{
		{"empty", "", "", "", nil},
		{"typical", "fp1", "user000001", "active", []mapping.Field{{Name: "email", Value: "a@example.com"}, {Name: "displayName", Value: "Given1 Family1"}}},
		{"non-ASCII", "fp", "zoë", "inactive", []mapping.Field{{Name: "city", Value: "Zürich"}, {Name: "title", Value: ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := entryHash(tt.fp, tt.userID, tt.status, tt.fields), referenceHash(tt.fp, tt.userID, tt.status, tt.fields); got != want {
				t.Fatalf("entryHash = %x, hash/fnv gives %x", got, want)
			}
		})
	}
}
