package password

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	bc, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, hash, pw string
		want           error
	}{
		{"argon2id right", h, "correct horse", nil},
		{"argon2id wrong", h, "correct horsE", ErrMismatch},
		{"bcrypt right", string(bc), "correct horse", nil},
		{"bcrypt wrong", string(bc), "wrong", ErrMismatch},
		{"unknown format", "plain", "plain", ErrUnknownFormat},
		{"truncated argon2id", "$argon2id$v=19$m=1", "x", ErrUnknownFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(tc.hash, tc.pw); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Hash("short"); !errors.Is(err, ErrTooShort) {
		t.Fatalf("Hash(short) = %v, want ErrTooShort", err)
	}
}

// TestPolicy holds every new password to the same rule: 12 to 256
// characters, not a common password, counted in characters rather than
// bytes.
func TestPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, pw string
		want     error
	}{
		{"empty", "", ErrTooShort},
		{"eleven characters", "abcdefgh-10", ErrTooShort},
		{"eleven characters of two bytes each", strings.Repeat("é", 11), ErrTooShort},
		{"twelve characters", "abcdefgh-101", nil},
		{"twelve characters of two bytes each", strings.Repeat("é", 12), nil},
		{"256 characters", strings.Repeat("ab", 128), nil},
		{"257 characters", strings.Repeat("ab", 128) + "c", ErrTooLong},
		{"common", "password1234", ErrCommon},
		{"common in other case", "PASSWORD1234", ErrCommon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Check(tc.pw); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
			if _, err := Hash(tc.pw); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("Hash = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	h, err := Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	bc, _ := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	weak := strings.Replace(h, "m=19456,t=2", "m=4096,t=1", 1)
	for hash, want := range map[string]bool{h: false, string(bc): true, weak: true} {
		if got := NeedsRehash(hash); got != want {
			t.Errorf("NeedsRehash(%.20s…) = %v, want %v", hash, got, want)
		}
	}
}
