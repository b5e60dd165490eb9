package upn

import (
	"errors"
	"strings"
	"testing"
)

func TestParseUPN(t *testing.T) {
	tests := []struct {
		in      string
		want    UPN
		wantErr error
	}{
		{in: "jane.doe@example.test", want: UPN{"jane.doe", "example.test"}},
		{in: "Jane.Doe@Corp.Example.Test", want: UPN{"Jane.Doe", "Corp.Example.Test"}},
		{in: "jdoe@contoso", want: UPN{"jdoe", "contoso"}},
		{in: "o'brien_x-1@sub-1.example.test", want: UPN{"o'brien_x-1", "sub-1.example.test"}},
		{in: "jörg@exämple.test", want: UPN{"jörg", "exämple.test"}},
		{in: "", wantErr: ErrEmpty},
		{in: "   ", wantErr: ErrEmpty},
		{in: "jdoe", wantErr: ErrMissingAt},
		{in: "a@b@c", wantErr: ErrSeveralAt},
		{in: "@example.test", wantErr: ErrEmptyLogin},
		{in: "jdoe@", wantErr: ErrEmptyDomain},
		{in: "j,doe@example.test", wantErr: ErrInvalidLogin},
		{in: "j/doe@example.test", wantErr: ErrInvalidLogin},
		{in: `CORP\jdoe@example.test`, wantErr: ErrInvalidLogin},
		{in: "j\tdoe@example.test", wantErr: ErrInvalidLogin},
		{in: " jdoe@example.test", wantErr: ErrInvalidLogin},
		{in: "jdoe@example..test", wantErr: ErrInvalidDomain},
		{in: "jdoe@example.test.", wantErr: ErrInvalidDomain},
		{in: "jdoe@-example.test", wantErr: ErrInvalidDomain},
		{in: "jdoe@exa_mple.test", wantErr: ErrInvalidDomain},
		{in: "jdoe@example.test ", wantErr: ErrInvalidDomain},
		{in: "jdoe@" + strings.Repeat("a", 64) + ".test", wantErr: ErrInvalidDomain},
		{in: strings.Repeat("a", MaxLength) + "@x.test", wantErr: ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseUPN(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrInvalidUPN) {
					t.Fatalf("ParseUPN(%q) error = %v, want %v", tt.in, err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "upn: ") {
					t.Errorf("error %q lacks the upn: prefix", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseUPN(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	netbios := map[string]string{"CORP": "corp.example.test", "Lab": "lab.example.test"}
	tests := []struct {
		name, in, def string
		want          string
		wantErr       error
	}{
		{name: "upn", in: "jane@example.test", def: "", want: "jane@example.test"},
		{name: "upn trimmed", in: "  jane@example.test\n", want: "jane@example.test"},
		{name: "down-level", in: `CORP\jane`, want: "jane@corp.example.test"},
		{name: "down-level any case", in: `corp\Jane`, want: "Jane@corp.example.test"},
		{name: "down-level map key case", in: `LAB\jane`, want: "jane@lab.example.test"},
		{name: "bare", in: "jane", def: "example.test", want: "jane@example.test"},
		{name: "bare without default", in: "jane", wantErr: ErrNoDefaultDomain},
		{name: "unknown netbios", in: `OTHER\jane`, wantErr: ErrUnknownNetBIOS},
		{name: "empty netbios", in: `\jane`, wantErr: ErrInvalidUPN},
		{name: "empty login after backslash", in: `CORP\`, wantErr: ErrEmptyLogin},
		{name: "two backslashes", in: `CORP\a\b`, wantErr: ErrInvalidLogin},
		{name: "backslash and at", in: `CORP\a@b.test`, wantErr: ErrInvalidUPN},
		{name: "empty", in: " ", wantErr: ErrEmpty},
		{name: "bad bare login", in: "ja;ne", def: "example.test", wantErr: ErrInvalidLogin},
		{name: "bad default domain", in: "jane", def: "exa mple", wantErr: ErrInvalidDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in, tt.def, netbios)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Normalize(%q) error = %v, want %v", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("Normalize(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCaseInsensitiveComparison(t *testing.T) {
	a := UPN{"Jane.Doe", "Example.TEST"}
	b := UPN{"jane.doe", "example.test"}
	if !a.EqualFold(b) || a.Key() != b.Key() || !EqualFold(a.String(), b.String()) {
		t.Errorf("%v and %v should compare equal ignoring case", a, b)
	}
	if a.EqualFold(UPN{"jane.doe", "example.org"}) {
		t.Error("different domains compare equal")
	}
	if Fold("ÄBC@X") != "äbc@x" {
		t.Errorf("Fold = %q", Fold("ÄBC@X"))
	}
}
