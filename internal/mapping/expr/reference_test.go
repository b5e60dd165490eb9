package expr

import (
	"errors"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/expressions.md from the function table")

// takenSet is an in-memory Uniqueness: the values in it are held by other
// users, and a value it claims is held from then on.
type takenSet map[string]bool

func (t takenSet) Claim(v string) (bool, error) {
	if t[v] {
		return false, nil
	}
	t[v] = true
	return true, nil
}

// TestReferenceExamples checks every documented example, which are
// Microsoft's examples for each function, against the implementation.
func TestReferenceExamples(t *testing.T) {
	for _, d := range Reference() {
		for _, ex := range d.Examples {
			t.Run(d.Name+"/"+ex.Expr, func(t *testing.T) {
				checkExample(t, ex)
			})
		}
	}
}

func checkExample(t *testing.T, ex Example) {
	t.Helper()
	e, err := Parse(ex.Expr)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	taken := takenSet{}
	for _, v := range ex.Taken {
		taken[v] = true
	}
	got, err := e.EvalWith(ex.Attrs, Options{Unique: taken})
	if ex.Err != "" {
		var ee *EvalError
		if err == nil || !strings.Contains(err.Error(), ex.Err) || !errors.As(err, &ee) {
			t.Fatalf("error = %v, want an *EvalError containing %q", err, ex.Err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	switch {
	case ex.Ignore:
		if !got.IgnoreFlow() {
			t.Fatalf("got %#v, want the field left out of the flow", got)
		}
	case ex.Match != "":
		if !regexp.MustCompile(ex.Match).MatchString(got.String()) {
			t.Fatalf("got %#v, want a match of %s", got, ex.Match)
		}
	case ex.List:
		if want := List(strings.Split(ex.Want, "|")); !got.Equal(want) {
			t.Fatalf("got %#v, want %#v", got, want)
		}
	default:
		if got.Kind() == KindList || got.IsNull() || got.String() != ex.Want {
			t.Fatalf("got %#v, want %q", got, ex.Want)
		}
	}
}

// TestReferenceComplete requires every function to be documented with at
// least one example.
func TestReferenceComplete(t *testing.T) {
	for _, d := range Reference() {
		if d.Returns == "" || d.Summary == "" || len(d.Examples) == 0 {
			t.Errorf("%s: needs Returns, Summary and an example in functionDocs", d.Name)
		}
	}
	for name := range functionDocs {
		if lookupFunction(name) == nil {
			t.Errorf("functionDocs documents %s, which is not a function", name)
		}
	}
	for _, want := range []string{"BitAnd", "CBool", "CDate", "ConvertToBase64", "ConvertToUTF8Hex", "DateAdd", "DateDiff",
		"Guid", "IgnoreFlowIfNullOrEmpty", "InStr", "IsString", "Now", "NumFromDate", "PCase", "RandomString", "Redact",
		"RemoveDuplicates", "SelectUniqueValue", "SingleAppRoleAssignment", "ConvertFromBase64", "Contains", "DNComponent",
		"CRef", "Error", "StringFromSid"} {
		if lookupFunction(want) == nil {
			t.Errorf("%s is missing", want)
		}
	}
}

// TestReferenceDoc keeps docs/expressions.md equal to what the function
// table generates; run with -update to rewrite it.
func TestReferenceDoc(t *testing.T) {
	const path = "../../../docs/expressions.md"
	want := ReferenceMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/mapping/expr -run TestReferenceDoc -update)", err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date: run go test ./internal/mapping/expr -run TestReferenceDoc -update", path)
	}
	for _, d := range Reference() {
		if !strings.Contains(want, "### "+d.Name+"\n") {
			t.Errorf("the page does not list %s", d.Name)
		}
	}
}
