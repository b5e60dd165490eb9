package limits

import (
	"errors"
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"plain", "Sales EMEA", nil},
		{"accents and CJK", "Équipe 営業", nil},
		{"exactly the limit", strings.Repeat("a", MaxName), nil},
		{"one byte over", strings.Repeat("a", MaxName+1), ErrTooLong},
		{"100 KB", strings.Repeat("x", 100<<10), ErrTooLong},
		{"NUL", "a\x00b", ErrBadText},
		{"newline", "a\nb", ErrBadText},
		{"escape", "a\x1b[2Jb", ErrBadText},
		{"DEL", "a\x7fb", ErrBadText},
		{"C1 control", "a\u0085b", ErrBadText},
		{"right-to-left override", "admins\u202Egpj.exe", ErrBadText},
		{"isolate", "a\u2067b", ErrBadText},
		{"invalid UTF-8", "a\xffb", ErrBadText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Name(tc.in); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Name(%.40q) = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}

func TestSearchAndFieldValue(t *testing.T) {
	if err := Search(strings.Repeat("a", 50000)); !errors.Is(err, ErrTooLong) {
		t.Errorf("50,000-character search: %v", err)
	}
	if err := Search("alice"); err != nil {
		t.Errorf("short search: %v", err)
	}
	if err := FieldValue(strings.Repeat("a", MaxFieldValue+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("value past the limit: %v", err)
	}
	if err := FieldValue(strings.Repeat("a", MaxFieldValue)); err != nil {
		t.Errorf("value at the limit: %v", err)
	}
}
