package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/mapping/expr"
)

// TestCustomFieldLimitsFailTheUser: a custom field holding "$$$" or longer
// than 256 characters fails the user, naming the field, whether the mapping
// is strict or not, mapped directly or through the joined form.
func TestCustomFieldLimitsFailTheUser(t *testing.T) {
	long := strings.Repeat("x", expr.MaxCustomFieldLength+1)
	tests := []struct {
		name    string
		mp      Mapping
		title   string
		wantErr string
	}{
		{name: "direct separator", mp: Mapping{Source: "title", Target: "Custom2"}, title: "evil$$$Custom9=injected",
			wantErr: `customfields: Custom2: value contains the separator "$$$"`},
		{name: "direct separator strict", mp: Mapping{Source: "title", Target: "Custom2", Strict: true}, title: "a$$$b",
			wantErr: `customfields: Custom2: value contains the separator "$$$"`},
		{name: "direct too long", mp: Mapping{Source: "title", Target: "Custom2"}, title: long,
			wantErr: `customfields: Custom2: value longer than 256 characters (257 characters)`},
		{name: "joined separator", mp: Mapping{Expression: `Join("$$$", Append("Custom2=", [title]), Append("Custom3=", [l]))`, Target: TargetCustomFields},
			title: "evil$$$Custom9=injected", wantErr: `customFields: expression failed: customfields: Custom2: value contains the separator "$$$" (from [title])`},
		{name: "direct fine", mp: Mapping{Source: "title", Target: "Custom2"}, title: "US$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := compile(t, Set{Mappings: required(tt.mp)})
			r := mapEntry(t, m, entry("uid=a,dc=x", "uid", "a", "cn", "A", "title", tt.title, "l", "Paris"))
			if tt.wantErr == "" {
				if r.Err != nil || fieldsOf(r)["Custom2"] != tt.title {
					t.Fatalf("Err = %v, fields %v", r.Err, fieldsOf(r))
				}
				return
			}
			if r.Err == nil || r.Err.Error() != tt.wantErr {
				t.Fatalf("Err = %v, want %q", r.Err, tt.wantErr)
			}
			var cfe *expr.CustomFieldError
			if !errors.As(r.Err, &cfe) || cfe.Field != "Custom2" {
				t.Errorf("Err names field %+v, want Custom2", cfe)
			}
		})
	}
}

func TestOperatorField(t *testing.T) {
	tests := []struct{ field, value, want, wantErr string }{
		{"custom2", "Engineer", "Custom2", ""},
		{"CUSTOM10", "", "Custom10", ""},
		{"Custom2", "x$$$Custom9=y", "", `customfields: Custom2: value contains the separator "$$$"`},
		{"ssoId", "a$$$b", "ssoId", ""}, // not a custom field: never joined
		{"customer", "x", "customer", ""},
	}
	for _, tt := range tests {
		got, err := OperatorField(tt.field, tt.value)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("OperatorField(%q, %q) = %q, %v; want %q, %q", tt.field, tt.value, got, err, tt.want, tt.wantErr)
		}
	}
}
