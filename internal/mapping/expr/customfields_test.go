package expr

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCustomFields(t *testing.T) {
	long := strings.Repeat("é", MaxCustomFieldLength)
	cases := []struct {
		name     string
		in       string
		want     CustomFields
		wantErrs []string
		wantIs   error
	}{
		{name: "documented output", in: "ImagicleCustomFields$$$Custom1=$$$Custom2=R&D Manager",
			want: CustomFields{"Custom1": "", "Custom2": "R&D Manager"}},
		{name: "no marker, any case", in: "customX=1$$$CUSTOM3=c$$$custom10=ten",
			want: CustomFields{"Custom3": "c", "Custom10": "ten"}, wantErrs: []string{`customfields: customX (part 1): unknown custom field`}, wantIs: ErrUnknownCustomField},
		{name: "empty", in: "", want: CustomFields{}},
		{name: "marker only", in: "ImagicleCustomFields", want: CustomFields{}},
		{name: "value with equals", in: "Custom1=a=b", want: CustomFields{"Custom1": "a=b"}},
		{name: "longest value", in: "Custom1=" + long, want: CustomFields{"Custom1": long}},
		{name: "too long", in: "Custom1=" + long + "x$$$Custom2=ok", want: CustomFields{"Custom2": "ok"},
			wantErrs: []string{"customfields: Custom1 (part 1): value longer than 256 characters (257 characters)"}, wantIs: ErrCustomFieldTooLong},
		{name: "separator inside value", in: "ImagicleCustomFields$$$Custom1=a$$$b$$$Custom2=c",
			want:     CustomFields{"Custom1": "a", "Custom2": "c"},
			wantErrs: []string{`customfields: part 3: expected Name=value, found "b" (a value cannot contain "$$$"; is it part of Custom1?)`}, wantIs: ErrCustomFieldSyntax},
		{name: "unknown field", in: "Custom11=x$$$Custom0=y$$$Custom01=z", want: CustomFields{},
			wantErrs: []string{"Custom11 (part 1)", "Custom0 (part 2)", "Custom01 (part 3)"}, wantIs: ErrUnknownCustomField},
		{name: "duplicate", in: "Custom1=a$$$custom1=b", want: CustomFields{"Custom1": "a"},
			wantErrs: []string{"customfields: Custom1 (part 2): custom field given more than once"}, wantIs: ErrDuplicateCustomField},
		{name: "too many parts", in: strings.Repeat("Custom1=a$$$", 11) + "Custom2=b", want: CustomFields{"Custom1": "a", "Custom2": "b"},
			wantErrs: []string{"more than 10 custom fields (found 12 parts)"}, wantIs: ErrTooManyCustomFields},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCustomFields(tc.in)
			if !maps.Equal(got, tc.want) {
				t.Errorf("fields = %q, want %q", got, tc.want)
			}
			if len(tc.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.wantErrs)
			}
			for _, w := range tc.wantErrs {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			var cfe *CustomFieldError
			if !errors.As(err, &cfe) || !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v is not a *CustomFieldError wrapping %v", err, tc.wantIs)
			}
		})
	}
}

func TestCustomFieldsRoundTrip(t *testing.T) {
	in := CustomFields{"Custom10": "j", "Custom2": "", "Custom1": "a b"}
	s := in.String()
	if want := "ImagicleCustomFields$$$Custom1=a b$$$Custom2=$$$Custom10=j"; s != want {
		t.Fatalf("String() = %q, want %q", s, want)
	}
	out, err := ParseCustomFields(s)
	if err != nil || !maps.Equal(in, out) {
		t.Fatalf("ParseCustomFields(%q) = %q, %v", s, out, err)
	}
}

func TestCustomFieldsFromExpression(t *testing.T) {
	e := MustParse(`Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))`)
	v, err := e.Eval(Map{"jobTitle": {"R&D Manager"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseCustomFields(v.String())
	if err != nil {
		t.Fatal(err)
	}
	if want := (CustomFields{"Custom1": "", "Custom2": "R&D Manager"}); !maps.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if v, ok := got["Custom1"]; !ok || v != "" {
		t.Fatalf("Custom1 should be present and empty, got %q, %v", v, ok)
	}
}

func TestValidateCustomField(t *testing.T) {
	cases := []struct {
		name, value, wantErr string
	}{
		{"Custom1", "ok", ""},
		{"custom10", strings.Repeat("x", 256), ""},
		{"Custom11", "x", "customfields: Custom11: unknown custom field"},
		{"Custom2", "a$$$b", `customfields: Custom2: value contains the separator "$$$"`},
		{"Custom3", strings.Repeat("x", 257), "Custom3: value longer than 256 characters (257 characters)"},
	}
	for _, tc := range cases {
		err := ValidateCustomField(tc.name, tc.value)
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("ValidateCustomField(%q): %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ValidateCustomField(%q) = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}

func TestEvalCustomFieldsRefusesSeparatorInValue(t *testing.T) {
	const src = `Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))`
	e := MustParse(src)
	tests := []struct {
		name    string
		attrs   Map
		want    string
		wantErr string
	}{
		{name: "clean", attrs: Map{"city": {"Paris"}, "jobTitle": {"R&D Manager"}},
			want: "ImagicleCustomFields$$$Custom1=Paris$$$Custom2=R&D Manager"},
		{name: "injected field", attrs: Map{"city": {"Paris"}, "jobTitle": {"evil$$$Custom9=injected"}},
			wantErr: `customfields: Custom2: value contains the separator "$$$" (from [jobTitle])`},
		{name: "separator at the end", attrs: Map{"city": {"Rome$$$"}},
			wantErr: `customfields: Custom1: value contains the separator "$$$" (from [city])`},
		{name: "separator alone", attrs: Map{"jobTitle": {"$$$"}},
			wantErr: `customfields: Custom2: value contains the separator "$$$" (from [jobTitle])`},
		{name: "two dollars are fine", attrs: Map{"jobTitle": {"$$ earner"}},
			want: "ImagicleCustomFields$$$Custom1=$$$Custom2=$$ earner"},
		{name: "a trailing dollar runs into the separator", attrs: Map{"city": {"Price$"}, "jobTitle": {"x"}},
			wantErr: `customfields: Custom1: value ends in part of the separator "$$$" ("$") (from [city])`},
		{name: "two trailing dollars", attrs: Map{"city": {"US$$"}, "jobTitle": {"x"}},
			wantErr: `customfields: Custom1: value ends in part of the separator "$$$" ("$$") (from [city])`},
		{name: "a trailing dollar on the last part is fine", attrs: Map{"jobTitle": {"Price$"}},
			want: "ImagicleCustomFields$$$Custom1=$$$Custom2=Price$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.EvalCustomFields(tt.attrs)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !(errors.Is(err, ErrSeparatorInValue) || errors.Is(err, ErrValueEndsInSeparator)) {
					t.Fatalf("err = %v, want %q wrapping ErrSeparatorInValue or ErrValueEndsInSeparator", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("got %q, %v; want %q", got.String(), err, tt.want)
			}
		})
	}
	// A Join on another separator is not checked: "a,b" joined by "," is
	// an ordinary value.
	if v, err := MustParse(`Join(",", [a], "c")`).EvalCustomFields(Map{"a": {"a,b"}}); err != nil || v.String() != "a,b,c" {
		t.Errorf("Join on another separator: %q, %v", v.String(), err)
	}
}

// FuzzCustomFieldsNoInjection: whatever the attribute values, the README's
// custom-field expression either fails or reads back as exactly the two
// fields it set, each holding its own value.
func FuzzCustomFieldsNoInjection(f *testing.F) {
	for _, s := range [][2]string{
		{"Paris", "Engineer"}, {"evil$$$Custom9=injected", "x"}, {"US$", "x"}, {"US$$", "$Custom9=y"},
		{"a", "$$$"}, {"$", "$$"}, {"", ""}, {"$$", "$Custom2=z"},
	} {
		f.Add(s[0], s[1])
	}
	e := MustParse(`Join("$$$", "ImagicleCustomFields", Append("Custom1=", [a]), Append("Custom2=", [b]))`)
	f.Fuzz(func(t *testing.T, a, b string) {
		v, err := e.EvalCustomFields(Map{"a": {a}, "b": {b}})
		if err != nil {
			if !errors.Is(err, ErrSeparatorInValue) && !errors.Is(err, ErrValueEndsInSeparator) {
				t.Fatalf("a=%q b=%q: unexpected error %v", a, b, err)
			}
			return
		}
		got, err := ParseCustomFields(v.String())
		if utf8.RuneCountInString(a) > MaxCustomFieldLength || utf8.RuneCountInString(b) > MaxCustomFieldLength {
			return // too long: refused by the parse, not injected
		}
		if err != nil || len(got) != 2 || got["Custom1"] != a || got["Custom2"] != b {
			t.Fatalf("a=%q b=%q: %q reads back as %v, %v", a, b, v.String(), got, err)
		}
	})
}
