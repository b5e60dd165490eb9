package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Deliveries are signed with HMAC-SHA256 over the timestamp and the body;
// a tampered body, another secret, a replay outside the window or a
// malformed header fail verification, each with its own error.
func TestVerify(t *testing.T) {
	secret := []byte("whsec_test")
	at := time.Unix(1767225600, 0)
	body := []byte(`{"events":[{"seq":1}]}`)
	good := Sign(secret, at, body)
	if !strings.HasPrefix(good, "t=1767225600,v1=") || len(good) != len("t=1767225600,v1=")+64 {
		t.Fatalf("Sign = %q", good)
	}
	tests := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", secret, good, body, at, nil},
		{"valid within the window", secret, good, body, at.Add(4 * time.Minute), nil},
		{"second v1 matches (secret rotation)", secret, Sign([]byte("old"), at, body) + "," + strings.Split(good, ",")[1], body, at, nil},
		{"tampered body", secret, good, []byte(`{"events":[{"seq":2}]}`), at, ErrSignatureMismatch},
		{"body with a byte appended", secret, good, append(append([]byte{}, body...), ' '), at, ErrSignatureMismatch},
		{"other secret", []byte("whsec_other"), good, body, at, ErrSignatureMismatch},
		{"time changed", secret, strings.Replace(good, "t=1767225600", "t=1767225601", 1), body, at, ErrSignatureMismatch},
		{"replayed after the window", secret, good, body, at.Add(6 * time.Minute), ErrSignatureExpired},
		{"from the future", secret, good, body, at.Add(-6 * time.Minute), ErrSignatureExpired},
		{"empty header", secret, "", body, at, ErrMalformedSignature},
		{"no v1", secret, "t=1767225600", body, at, ErrMalformedSignature},
		{"no t", secret, strings.Split(good, ",")[1], body, at, ErrMalformedSignature},
		{"v1 not hex", secret, "t=1767225600,v1=zz", body, at, ErrMalformedSignature},
		{"v1 truncated", secret, good[:len(good)-2], body, at, ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, tt.body, tt.now, 0)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}
