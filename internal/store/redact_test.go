package store

import "testing"

func TestIsSecretField(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"password", true},
		{"voicemailPassword", true},
		{"API_KEY", true},
		{"api-key", true},
		{"private.key", true},
		{"Client_Secret", true},
		{"accessToken", true},
		{"displayName", false},
		{"email", false},
		{"groups", false},
		{"", false},
	} {
		if got := IsSecretField(tc.name); got != tc.want {
			t.Errorf("IsSecretField(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A sync asks about every change of every outcome, so the check must not
// build anything per call.
func TestIsSecretFieldAllocations(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { IsSecretField("groups") }); n > 0 {
		t.Errorf("IsSecretField allocates %v times per call, want 0", n)
	}
}

func TestRedactChangesKeepsOthers(t *testing.T) {
	in := []FieldChange{{Field: "email", Old: "a@x", New: "b@x"}, {Field: "voicemailCode", New: "1234"}, {Field: "password", Old: "old", New: "new"}}
	out := RedactChanges(in)
	if out[0] != in[0] || out[1] != in[1] {
		t.Errorf("non-secret changes altered: %+v", out)
	}
	if out[2].Old != Redacted || out[2].New != Redacted {
		t.Errorf("password change not redacted: %+v", out[2])
	}
	if in[2].New != "new" {
		t.Errorf("the caller's slice was modified: %+v", in[2])
	}
}
