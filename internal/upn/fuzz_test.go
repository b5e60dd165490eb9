package upn

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseConfigureTwo reads arbitrary configureTwo documents: Parse never
// panics, and every error it returns is a FieldErrors list whose entries
// name a field.
func FuzzParseConfigureTwo(f *testing.F) {
	for _, s := range []string{
		`{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"","multiValued":false,"skipIfPresent":true,"valueTemplate":"{upn}"}}`,
		`{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"proxyAddresses","multiValued":true,"skipIfPresent":true,"valueTemplate":"SMTP:{upn}"}}`,
		`{"schemaVersion":2}`, `{"syncUpnToAdAttribute":{"valueTemplate":"{nope}"}}`, `{`, `[]`, `"x"`, ``, `   `,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := Parse(s)
		if err == nil {
			return
		}
		if !errors.Is(err, ErrInvalidConfig) {
			t.Fatalf("Parse(%q) error %v is not ErrInvalidConfig", s, err)
		}
		var fe FieldErrors
		if errors.As(err, &fe) {
			for _, e := range fe {
				if e.Error() == "" {
					t.Fatalf("an empty field error for %q", s)
				}
			}
		}
	})
}

// FuzzParseUPN checks that an accepted UPN splits at its only '@' and that
// Normalize agrees with ParseUPN on the login@domain form.
func FuzzParseUPN(f *testing.F) {
	for _, s := range []string{"Carl.Five@example.test", "a@b", "@b", "a@", "a@@b", "a b@c.d", "ünïcödé@例え.テスト", "x\x00@y", `EXAMPLE\edsam`, "edsam"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUPN(s)
		if err == nil {
			if u.Login+"@"+u.Domain != s || strings.Contains(u.Login, "@") || u.Login == "" || u.Domain == "" {
				t.Fatalf("ParseUPN(%q) = %+v", s, u)
			}
		}
		n, nerr := Normalize(s, "example.test", map[string]string{"EXAMPLE": "example.test"})
		if nerr == nil && n.Login == "" {
			t.Fatalf("Normalize(%q) accepted an empty login: %+v", s, n)
		}
	})
}
