package upn

import (
	"errors"
	"strings"
	"testing"
)

func TestSuffixPolicyCheck(t *testing.T) {
	accepted := []string{"example.test", "Corp.Example.Test."}
	tests := []struct {
		name    string
		policy  SuffixPolicy
		upn     string
		wantErr error
	}{
		{name: "any suffix", policy: SuffixPolicy{}, upn: "jane@contoso"},
		{name: "forest level", policy: SuffixPolicy{AcceptedSuffixes: accepted}, upn: "jane@example.test"},
		{name: "domain level, any case, trailing dot in list", policy: SuffixPolicy{AcceptedSuffixes: accepted}, upn: "jane@corp.EXAMPLE.test"},
		{name: "subdomain not listed", policy: SuffixPolicy{AcceptedSuffixes: accepted}, upn: "jane@lab.example.test", wantErr: ErrSuffixNotAccepted},
		{name: "other forest", policy: SuffixPolicy{AcceptedSuffixes: accepted}, upn: "jane@example.org", wantErr: ErrSuffixNotAccepted},
		{name: "hybrid FQDN ok", policy: SuffixPolicy{RequireFQDN: true}, upn: "jane@example.test"},
		{name: "hybrid single label", policy: SuffixPolicy{RequireFQDN: true}, upn: "jane@contoso", wantErr: ErrNotFQDN},
		{name: "hybrid numeric tld", policy: SuffixPolicy{RequireFQDN: true}, upn: "jane@10.0.0.1", wantErr: ErrNotFQDN},
		{name: "hybrid and list", policy: SuffixPolicy{AcceptedSuffixes: []string{"contoso"}, RequireFQDN: true}, upn: "jane@contoso", wantErr: ErrNotFQDN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseUPN(tt.upn)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.policy.Check(u)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Check(%s) = %v, want nil", tt.upn, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Check(%s) = %v, want %v", tt.upn, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.upn) {
				t.Errorf("error %q does not name the user %s", err, tt.upn)
			}
		})
	}
}

func TestSuffixPolicyValidate(t *testing.T) {
	if err := (SuffixPolicy{AcceptedSuffixes: []string{"example.test", "corp.example.test."}}).Validate(); err != nil {
		t.Errorf("valid policy: %v", err)
	}
	err := SuffixPolicy{AcceptedSuffixes: []string{"ok.test", "bad domain", "single"}, RequireFQDN: true}.Validate()
	if err == nil || !strings.Contains(err.Error(), `"bad domain"`) || !strings.Contains(err.Error(), `"single"`) {
		t.Errorf("Validate = %v, want both bad suffixes named", err)
	}
}
