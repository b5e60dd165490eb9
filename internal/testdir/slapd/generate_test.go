package slapd

import (
	"regexp"
	"testing"
)

// Scattered ids must look like a real directory's: valid version 4 UUIDs,
// all different, and in no order, so that a store's index on them is
// filled at random places as it is in production.
func TestGeneratedUUIDScattered(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	const n = 10000
	seen := make(map[string]bool, n)
	rising := 0
	prev := ""
	for i := 1; i <= n; i++ {
		id := GeneratedUUID(i)
		if !v4.MatchString(id) {
			t.Fatalf("GeneratedUUID(%d) = %q: not a version 4 UUID", i, id)
		}
		if seen[id] {
			t.Fatalf("GeneratedUUID(%d) = %q repeats an earlier id", i, id)
		}
		seen[id] = true
		if id > prev {
			rising++
		}
		prev = id
	}
	if rising > n*6/10 || rising < n*4/10 {
		t.Fatalf("%d of %d ids are above the one before: they are not scattered", rising, n)
	}
	if again := GeneratedUUID(7); again != GeneratedUUID(7) || !seen[again] {
		t.Fatal("GeneratedUUID is not deterministic")
	}
}
