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
