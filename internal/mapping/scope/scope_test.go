package scope

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// attrs is a test Attributes keyed by exact name.
type attrs map[string][]string

func (a attrs) Values(name string) []string { return a[name] }

func TestParseOperator(t *testing.T) {
	cases := map[string]Operator{
		"EQUALS": Equals, "equals": Equals, "NOT EQUALS": NotEquals, "not_equals": NotEquals, "notEquals": NotEquals,
		"IS TRUE": IsTrue, "IS FALSE": IsFalse, "IS NULL": IsNull, "IS NOT NULL": IsNotNull, "is_not_null": IsNotNull,
		"REGEX MATCH": RegexMatch, "NOT REGEX MATCH": NotRegexMatch, "Greater_Than": GreaterThan,
		"GREATER THAN": GreaterThan, "Greater_Than_OR_EQUALS": GreaterThanOrEquals, "greaterThanOrEquals": GreaterThanOrEquals,
		"Includes": Includes, "ENDS_WITH": EndsWith, "ends with": EndsWith, "endsWith": EndsWith,
	}
	for in, want := range cases {
		got, err := ParseOperator(in)
		if err != nil || got != want {
			t.Errorf("ParseOperator(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseOperator("LIKE"); err == nil || err.Error() != `scope: unknown operator "LIKE"` {
		t.Errorf("ParseOperator(LIKE) error = %v", err)
	}
}

func TestJSON(t *testing.T) {
	in := `{"clauses":[{"attribute":"department","operator":"NOT EQUALS","value":"Sales"},{"attribute":"mail","operator":"IS_NOT_NULL"}]}`
	var s Scope
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"clauses":[{"attribute":"department","operator":"notEquals","value":"Sales"},{"attribute":"mail","operator":"isNotNull"}]}`
	if string(out) != want {
		t.Fatalf("Marshal = %s\nwant %s", out, want)
	}
}

func TestValidate(t *testing.T) {
	var s Scope
	in := `{"clauses":[
		{"attribute":"department","operator":"EQUALS","value":"Sales"},
		{"attribute":"","operator":"LIKE","value":"x"},
		{"attribute":"upn","operator":"REGEX MATCH","value":"(unclosed"},
		{"attribute":"employeeNumber","operator":"Greater_Than","value":"ten"},
		{"attribute":"mail","operator":"IS NULL","value":"x"},
		{"attribute":"title","operator":"Includes"},
		{"attribute":"title"}
	]}`
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	err := s.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	want := []FieldError{
		{"scope.clauses[1].attribute", "is required"},
		{"scope.clauses[1].operator", `unknown operator "LIKE"; expected one of equals, notEquals, isTrue, isFalse, isNull, isNotNull, regexMatch, notRegexMatch, greaterThan, greaterThanOrEquals, includes, endsWith`},
		{"scope.clauses[2].value", "invalid regular expression: error parsing regexp: missing closing ): `(unclosed`"},
		{"scope.clauses[3].value", `must be an integer for Greater_Than, got "ten"`},
		{"scope.clauses[4].value", `must be empty for IS NULL, got "x"`},
		{"scope.clauses[5].value", "is required for Includes (an empty value never matches)"},
		{"scope.clauses[6].operator", "is required"},
	}
	if len(ve.Problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ve.Problems), len(want), err)
	}
	for i := range want {
		if ve.Problems[i] != want[i] {
			t.Errorf("problem %d = %v\nwant %v", i, ve.Problems[i], want[i])
		}
	}
	if !strings.HasPrefix(err.Error(), "scope: invalid: scope.clauses[1].attribute: is required; ") {
		t.Errorf("Error() = %q", err)
	}
	ok := Scope{Clauses: []Clause{{Attribute: "upn", Operator: RegexMatch, Value: ".*@domain.com"}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		name    string
		clause  Clause
		attrs   attrs
		want    bool
		wantErr string
	}{
		{"equals", Clause{"department", Equals, "Sales", nil}, attrs{"department": {"Sales"}}, true, ""},
		{"equals case-sensitive", Clause{"department", Equals, "Sales", nil}, attrs{"department": {"sales"}}, false, ""},
		{"equals null", Clause{"department", Equals, "Sales", nil}, nil, false, ""},
		{"not equals", Clause{"department", NotEquals, "Sales", nil}, attrs{"department": {"HR"}}, true, ""},
		{"not equals same", Clause{"department", NotEquals, "Sales", nil}, attrs{"department": {"Sales"}}, false, ""},
		{"not equals null", Clause{"department", NotEquals, "Sales", nil}, nil, false, ""},
		{"not equals empty", Clause{"department", NotEquals, "Sales", nil}, attrs{"department": {""}}, false, ""},
		{"is true", Clause{"enabled", IsTrue, "", nil}, attrs{"enabled": {"TRUE"}}, true, ""},
		{"is true false", Clause{"enabled", IsTrue, "", nil}, attrs{"enabled": {"False"}}, false, ""},
		{"is true text", Clause{"enabled", IsTrue, "", nil}, attrs{"enabled": {"yes"}}, false, ""},
		{"is false", Clause{"enabled", IsFalse, "", nil}, attrs{"enabled": {"false"}}, true, ""},
		{"is false null", Clause{"enabled", IsFalse, "", nil}, nil, false, ""},
		{"is null", Clause{"title", IsNull, "", nil}, nil, true, ""},
		{"is null empty", Clause{"title", IsNull, "", nil}, attrs{"title": {""}}, true, ""},
		{"is null set", Clause{"title", IsNull, "", nil}, attrs{"title": {"x"}}, false, ""},
		{"is not null", Clause{"title", IsNotNull, "", nil}, attrs{"title": {"x"}}, true, ""},
		{"is not null empty", Clause{"title", IsNotNull, "", nil}, attrs{"title": {""}}, false, ""},
		{"regex", Clause{"upn", RegexMatch, ".*@domain.com", nil}, attrs{"upn": {"a@domain.com"}}, true, ""},
		{"regex unanchored", Clause{"id", RegexMatch, "([1-9][0-9])", nil}, attrs{"id": {"x42y"}}, true, ""},
		{"regex case-sensitive", Clause{"upn", RegexMatch, "@domain", nil}, attrs{"upn": {"a@DOMAIN.com"}}, false, ""},
		{"regex null", Clause{"upn", RegexMatch, ".*", nil}, nil, false, ""},
		{"not regex", Clause{"upn", NotRegexMatch, ".*@domain.com", nil}, attrs{"upn": {"a@other.com"}}, true, ""},
		{"not regex null", Clause{"upn", NotRegexMatch, ".*@domain.com", nil}, nil, false, ""},
		{"greater", Clause{"n", GreaterThan, "1000000", nil}, attrs{"n": {"1000001"}}, true, ""},
		{"greater equal bound", Clause{"n", GreaterThan, "10", nil}, attrs{"n": {"10"}}, false, ""},
		{"greater numeric not lexical", Clause{"n", GreaterThan, "9", nil}, attrs{"n": {"10"}}, true, ""},
		{"greater or equals", Clause{"n", GreaterThanOrEquals, "10", nil}, attrs{"n": {"10"}}, true, ""},
		{"greater null", Clause{"n", GreaterThan, "1", nil}, nil, false, ""},
		{"greater not integer", Clause{"n", GreaterThan, "1", nil}, attrs{"n": {"1.5"}}, false, `attribute n value "1.5" is not an integer`},
		{"includes", Clause{"title", Includes, "Eng", nil}, attrs{"title": {"Senior Engineer"}}, true, ""},
		{"includes case-sensitive", Clause{"title", Includes, "eng", nil}, attrs{"title": {"Senior Engineer"}}, false, ""},
		{"ends with", Clause{"mail", EndsWith, "@contoso.com", nil}, attrs{"mail": {"a@contoso.com"}}, true, ""},
		{"ends with no", Clause{"mail", EndsWith, "@contoso.com", nil}, attrs{"mail": {"a@contoso.org"}}, false, ""},
		{"multi-valued", Clause{"proxyAddresses", IsNotNull, "", nil}, attrs{"proxyAddresses": {"a", "b"}}, false,
			"scope: clauses[0] (proxyAddresses IS NOT NULL): attribute proxyAddresses has 2 values; scoping filters accept single-valued attributes only"},
		{"multi-valued is null", Clause{"proxyAddresses", IsNull, "", nil}, attrs{"proxyAddresses": {"a", "b"}}, false, "has 2 values"},
		{"unvalidated bad regex", Clause{"upn", RegexMatch, "(", nil}, attrs{"upn": {"x"}}, false, "invalid regular expression"},
		{"unknown operator", Clause{"upn", "like", "x", nil}, attrs{"upn": {"x"}}, false, `unknown operator "like"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Scope{Clauses: []Clause{tc.clause}}
			if tc.wantErr == "" {
				if err := s.Validate(); err != nil {
					t.Fatalf("Validate: %v", err)
				}
			}
			got, failed, err := s.Match(tc.attrs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Match error = %v, want %q", err, tc.wantErr)
				}
				if failed != &s.Clauses[0] {
					t.Fatalf("failed clause = %v, want the clause", failed)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Match = %v, %v; want %v", got, err, tc.want)
			}
			if got != (failed == nil) {
				t.Fatalf("failed = %v with matched = %v", failed, got)
			}
		})
	}
}

func TestMatchReportsFirstFailedClause(t *testing.T) {
	s := Scope{Clauses: []Clause{
		{Attribute: "state", Operator: Equals, Value: "New York"},
		{Attribute: "department", Operator: Equals, Value: "Engineering"},
		{Attribute: "employeeID", Operator: GreaterThanOrEquals, Value: "1000000"},
		{Attribute: "jobTitle", Operator: IsNotNull},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	user := attrs{"state": {"New York"}, "department": {"Engineering"}, "employeeID": {"1500000"}, "jobTitle": {"Dev"}}
	if ok, failed, err := s.Match(user); !ok || failed != nil || err != nil {
		t.Fatalf("Match = %v, %v, %v; want true", ok, failed, err)
	}
	user["department"] = []string{"Sales"}
	ok, failed, err := s.Match(user)
	if ok || err != nil || failed != &s.Clauses[1] {
		t.Fatalf("Match = %v, %v, %v; want clause 1 to fail", ok, failed, err)
	}
	if got, want := failed.String(), `department EQUALS "Engineering"`; got != want {
		t.Errorf("failed.String() = %q, want %q", got, want)
	}
	if ok, failed, err := (&Scope{}).Match(nil); !ok || failed != nil || err != nil {
		t.Errorf("empty scope Match = %v, %v, %v; want true", ok, failed, err)
	}
}
