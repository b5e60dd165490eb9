package expr

import (
	"errors"
	"strings"
	"testing"
)

// evalCase is one expression evaluated against attributes.
type evalCase struct {
	name  string
	src   string
	attrs Map
	want  Value
	// wantErr, when set, is a substring of the expected evaluation error.
	wantErr string
}

// runEval parses and evaluates each case and compares the result.
func runEval(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = tc.src
		}
		t.Run(name, func(t *testing.T) {
			t.Helper()
			e, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.src, err)
			}
			got, err := e.Eval(tc.attrs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Eval(%q) error = %v, want one containing %q", tc.src, err, tc.wantErr)
				}
				var ee *EvalError
				if !errors.As(err, &ee) {
					t.Fatalf("Eval(%q) error %T is not an *EvalError", tc.src, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval(%q): %v", tc.src, err)
			}
			if !got.Equal(tc.want) {
				t.Fatalf("Eval(%q) = %#v, want %#v", tc.src, got, tc.want)
			}
		})
	}
}
