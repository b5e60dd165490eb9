package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/mapping/expr"
)

// IgnoreFlowIfNullOrEmpty leaves the attribute out of the flow: the field
// keeps its stored value, even when the mapping would otherwise clear it or
// apply its default.
func TestIgnoreFlowLeavesFieldUntouched(t *testing.T) {
	tests := []struct {
		name, expression string
		attrs            []string
		want             string
		present          bool // the mapped result holds the field
	}{
		{"absent attribute", `IgnoreFlowIfNullOrEmpty([department])`, nil, "Sales", false},
		{"empty attribute", `IgnoreFlowIfNullOrEmpty([department])`, []string{"department", ""}, "Sales", false},
		{"Switch gives empty", `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr."))`, []string{"prefix", "9"}, "Sales", false},
		{"value flows", `IgnoreFlowIfNullOrEmpty([department])`, []string{"department", "R&D"}, "R&D", true},
		// Without IgnoreFlowIfNullOrEmpty the same mapping clears the field.
		{"control: clears", `[department]`, nil, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := compile(t, Set{Mappings: required(Mapping{Expression: tc.expression, Target: "department", ClearWhenEmpty: true})})
			kv := append([]string{"uid", "a", "cn", "A"}, tc.attrs...)
			r := mapEntry(t, m, entry("uid=a", kv...))
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if _, ok := fieldsOf(r)["department"]; ok != tc.present {
				t.Fatalf("department in the mapped fields = %v, want %v (%v)", ok, tc.present, r.Fields)
			}
			_, next, _ := m.Update(r, "a", map[string]string{"department": "Sales"})
			if next["department"] != tc.want {
				t.Errorf("department after update = %q, want %q", next["department"], tc.want)
			}
		})
	}
	// A default does not apply either: the field is not touched at all.
	m := compile(t, Set{Mappings: required(Mapping{Expression: `IgnoreFlowIfNullOrEmpty([department])`, Target: "department", Default: "none"})})
	r := mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "A"))
	if v, ok := fieldsOf(r)["department"]; ok {
		t.Errorf("department = %q, want it left out of the flow", v)
	}
}

// claims is an in-memory Uniqueness: held maps field values (compared
// case-insensitively) to the user holding them.
type claims struct {
	owner string
	held  map[string]string
}

func (c *claims) Claim(field, value string) (bool, error) {
	k := field + "\x00" + strings.ToLower(value)
	if o, ok := c.held[k]; ok && o != c.owner {
		return false, nil
	}
	c.held[k] = c.owner
	return true, nil
}

// SelectUniqueValue gives each user of a run the first candidate nobody
// else holds; when all are taken, or no check is possible, the user fails
// whatever the mapping's strictness.
func TestSelectUniqueValueMapping(t *testing.T) {
	const upn = `SelectUniqueValue(Join("@", Join(".", [givenName], [sn]), "contoso.com"), Join("@", Join(".", Left([givenName], 1), [sn]), "contoso.com"))`
	m := compile(t, Set{Mappings: required(Mapping{Expression: upn, Target: "email"})})
	u := &claims{held: map[string]string{"email\x00john.smith@contoso.com": "stored"}}
	var got []string
	var errs []error
	for _, uid := range []string{"a", "b", "a"} {
		u.owner = uid
		r := Result{Unique: u}
		m.Map(entry("uid="+uid, "uid", uid, "cn", "John Smith", "givenName", "John", "sn", "Smith"), &r)
		got = append(got, fieldsOf(&r)["email"])
		errs = append(errs, r.Err)
	}
	if got[0] != "J.Smith@contoso.com" || errs[0] != nil {
		t.Errorf("first user: %q, %v; want J.Smith@contoso.com (John.Smith is held)", got[0], errs[0])
	}
	if !errors.Is(errs[1], expr.ErrNoUniqueValue) || !strings.Contains(errs[1].Error(), "email") {
		t.Errorf("second user in the same run: %q, %v; want a failure naming email", got[1], errs[1])
	}
	if got[2] != "J.Smith@contoso.com" || errs[2] != nil {
		t.Errorf("first user mapped again: %q, %v; want its own J.Smith@contoso.com", got[2], errs[2])
	}
	var r Result
	m.Map(entry("uid=c", "uid", "c", "cn", "C", "givenName", "C", "sn", "D"), &r)
	if !errors.Is(r.Err, expr.ErrNoUniqueness) {
		t.Errorf("without a uniqueness check: %v, want ErrNoUniqueness", r.Err)
	}
}
