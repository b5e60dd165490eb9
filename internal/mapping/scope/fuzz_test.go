package scope

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzScope reads arbitrary scope documents and matches them against
// arbitrary attribute values: validation reports problems by clause and
// field, and Match never panics, on a validated or an unvalidated scope.
func FuzzScope(f *testing.F) {
	for _, s := range []struct{ doc, v1, v2 string }{
		{`{"clauses":[{"attribute":"department","operator":"EQUALS","value":"R&D"}]}`, "R&D", ""},
		{`{"clauses":[{"attribute":"mail","operator":"REGEX MATCH","value":"(?i)^.*@contoso\\.com$"}]}`, "a@contoso.com", "x"},
		{`{"clauses":[{"attribute":"employeeID","operator":"Greater_Than","value":"10"},{"attribute":"x","operator":"IS NULL"}]}`, "11", ""},
		{`{"clauses":[{"attribute":"a","operator":"NOT REGEX MATCH","value":"("}]}`, "", ""},
		{`{"clauses":[{"attribute":"a","operator":"IS TRUE"}]}`, "TRUE", "1"},
		{`{"clauses":[{"attribute":"","operator":"bogus"}]}`, "", ""},
	} {
		f.Add(s.doc, s.v1, s.v2)
	}
	f.Fuzz(func(t *testing.T, doc, v1, v2 string) {
		var s Scope
		if json.Unmarshal([]byte(doc), &s) != nil {
			return
		}
		a := attrs{"department": {v1}, "mail": {v1, v2}, "employeeID": {v1}, "a": {v2}, "x": nil}
		unvalidated := s
		unvalidated.Clauses = append([]Clause(nil), s.Clauses...)
		_, _, _ = unvalidated.Match(a)
		if err := s.Validate(); err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("Validate error %T is not a *ValidationError with problems", err)
			}
			for _, p := range ve.Problems {
				if p.Field == "" || p.Msg == "" {
					t.Fatalf("a problem without a field or a message: %+v", p)
				}
			}
			return
		}
		if _, _, err := s.Match(a); err != nil && len(s.Clauses) == 0 {
			t.Fatalf("an empty scope failed: %v", err)
		}
	})
}
