package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/directory"
)

// TestMultiValue maps memberOf, with several values, to the single field
// groups under every multiValue setting, through an attribute source and
// through an expression.
func TestMultiValue(t *testing.T) {
	groups := []string{"CN=Admins,DC=x", "CN=Sales,DC=x"}
	tests := []struct {
		name      string
		mv        MultiValue
		sep       string
		values    []string
		want      string
		warn      string
		wantErr   error
		expressed bool
	}{
		{name: "unset keeps the first and warns", values: groups, want: groups[0], warn: "groups: memberOf has 2 values; kept the first"},
		{name: "first", mv: MultiValueFirst, values: groups, want: groups[0]},
		{name: "join default separator", mv: MultiValueJoin, values: groups, want: "CN=Admins,DC=x; CN=Sales,DC=x"},
		{name: "join separator", mv: MultiValueJoin, sep: "|", values: groups, want: "CN=Admins,DC=x|CN=Sales,DC=x"},
		{name: "join value holds the separator", mv: MultiValueJoin, sep: ",", values: groups, wantErr: ErrSeparatorInValue},
		{name: "error", mv: MultiValueError, values: groups, wantErr: ErrMultipleValues},
		{name: "error one value is fine", mv: MultiValueError, values: groups[:1], want: groups[0]},
		{name: "unset one value, no warning", values: groups[1:], want: groups[1]},
		{name: "expression join", mv: MultiValueJoin, values: groups, want: "CN=Admins,DC=x; CN=Sales,DC=x", expressed: true},
		{name: "expression error", mv: MultiValueError, values: groups, wantErr: ErrMultipleValues, expressed: true},
		{name: "expression unset joins as before", values: groups, want: "CN=Admins,DC=x, CN=Sales,DC=x", expressed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp := Mapping{Source: "memberOf", Target: "groups", MultiValue: tt.mv, Separator: tt.sep}
			if tt.expressed {
				mp.Source, mp.Expression = "", `Coalesce([memberOf], "none")`
			}
			m := compile(t, Set{Mappings: required(mp)})
			e := &directory.Entry{DN: "uid=a,dc=x", Attrs: map[string][]string{"uid": {"a"}, "cn": {"A"}, "memberof": tt.values}}
			r := mapEntry(t, m, e)
			if tt.wantErr != nil {
				if !errors.Is(r.Err, tt.wantErr) || !strings.HasPrefix(r.Err.Error(), "groups: ") {
					t.Fatalf("Err = %v, want %v naming groups", r.Err, tt.wantErr)
				}
				return
			}
			if r.Err != nil {
				t.Fatalf("Err = %v", r.Err)
			}
			if got := fieldsOf(r)["groups"]; got != tt.want {
				t.Errorf("groups = %q, want %q", got, tt.want)
			}
			if w := strings.Join(r.Warnings, "\n"); (tt.warn == "") != (w == "") || !strings.Contains(w, tt.warn) {
				t.Errorf("warnings = %q, want %q", r.Warnings, tt.warn)
			}
		})
	}
}

func TestMultiValueValidate(t *testing.T) {
	tests := []struct {
		mp   Mapping
		want string
	}{
		{Mapping{Source: "memberOf", Target: "groups", MultiValue: "all"}, `mappings[2].multiValue: must be first, join or error, got "all"`},
		{Mapping{Source: "memberOf", Target: "groups", MultiValue: "First"}, `mappings[2].multiValue: must be first, join or error, got "First"`},
		{Mapping{Source: "memberOf", Target: "groups", Separator: ","}, `mappings[2].separator: only applies with multiValue "join"`},
		{Mapping{Source: "memberOf", Target: "groups", MultiValue: MultiValueError, Separator: ","}, `mappings[2].separator: only applies with multiValue "join"`},
		{Mapping{Source: "memberOf", Target: "groups", MultiValue: MultiValueJoin, Separator: ","}, ""},
	}
	for _, tt := range tests {
		probs := Set{Mappings: required(tt.mp)}.Validate(false)
		if got := probs.Error(); (tt.want == "") != (len(probs) == 0) || !strings.Contains(got, tt.want) {
			t.Errorf("%+v: problems %q, want %q", tt.mp, probs, tt.want)
		}
	}
}
