package store

import (
	"strings"
	"testing"
)

// TestUserIDKey: two userIds have one key exactly when they are equal under
// Unicode simple case folding, as strings.EqualFold says.
func TestUserIDKey(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"jdoe", "JDoe", true},
		{"JÜRGEN", "jürgen", true},
		{"ÄÖÜ", "äöü", true},
		{"ẞ", "ß", true},
		{"Σίσυφος", "ΣΊΣΥΦΟΣ", true},
		{"σ", "ς", true},
		{"\u212Aelvin", "kelvin", true},
		{"ſam", "SAM", true},
		{"", "", true},
		{"İ", "i", false},
		{"ı", "i", false},
		{"jürgen", "jurgen", false},
		{"ss", "ß", false},
	}
	for _, tt := range tests {
		ka, kb := UserIDKey(tt.a), UserIDKey(tt.b)
		if (ka == kb) != tt.same {
			t.Errorf("UserIDKey(%q) = %q, UserIDKey(%q) = %q; same = %v, want %v", tt.a, ka, tt.b, kb, ka == kb, tt.same)
		}
		if strings.EqualFold(tt.a, tt.b) != tt.same {
			t.Errorf("the table is wrong about %q and %q", tt.a, tt.b)
		}
		if UserIDKey(ka) != ka {
			t.Errorf("UserIDKey(%q) = %q is not its own key", tt.a, ka)
		}
	}
	if got := UserIDKey("JÜRGEN"); got != "jürgen" {
		t.Errorf("UserIDKey(JÜRGEN) = %q, want jürgen", got)
	}
}
