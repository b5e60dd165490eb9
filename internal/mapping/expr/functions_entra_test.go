package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestLiteralsAndConcat(t *testing.T) {
	runEval(t, []evalCase{
		{src: `&HFF`, want: Str("255")},
		{src: `&hf`, want: Str("15")},
		{name: "concat null side", src: `"t-" & [alias]`, want: Str("t-")},
		{name: "concat both null", src: `[a] & [b]`, want: Null()},
		{name: "concat chain", src: `[a] & "-" & [b]`, attrs: Map{"a": {"x"}, "b": {"y"}}, want: Str("x-y")},
		{name: "concat binds tighter than =", src: `IIF("a" & "b" = "ab", "yes", "no")`, want: Str("yes")},
		{name: "concat multi-valued", src: `[m] & "x"`, attrs: Map{"m": {"a", "b"}}, wantErr: "has 2 values"},
		{name: "enumeration name as text", src: `Join(",", vbTextCompare, utf8)`, want: Str("vbTextCompare,UTF8")},
	})
}

func TestParseErrorsOfEntraSyntax(t *testing.T) {
	tests := []struct{ src, want string }{
		{`&H`, `expected an attribute`},
		{`&HFFFFFFFFFFFFFFFFFF`, `too large`},
		{`"a" &`, `expected an attribute`},
		{`Swtich([a], "", "x", "y")`, `did you mean Switch?`},
		{`ConvertToUtf8Hx("a")`, `did you mean ConvertToUTF8Hex?`},
		{`Switch([a], "d", "k")`, `Switch takes an even number of arguments`},
		{`Switch([a], "d", "k", "v", "k2", "v2", "k3")`, `Switch takes an even number of arguments`},
		{`Join(",", SelectUniqueValue("a", "b"))`, `SelectUniqueValue must be the whole expression`},
		{`SelectUniqueValue("a")`, `SelectUniqueValue takes at least 2 arguments, got 1`},
		{`InStr("a")`, `InStr takes 2 to 4 arguments, got 1`},
		{`Guid(1)`, `Guid takes 0 arguments, got 1`},
		{`Replace([a], , "(?<g>x)", "g", "y", [b], )`, `replacementAttributeName goes with regexPattern and regexGroupName only`},
		{`Replace([a], , "(?<g>x)", , , [b], )`, `replacementAttributeName needs a regexPattern and a regexGroupName`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, err := Parse(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError containing %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestSwitchMicrosoftRules(t *testing.T) {
	runEval(t, []evalCase{
		{name: "null source matches the empty key", src: `Switch([s], "d", "x", "1", "", "0")`, want: Str("0")},
		{name: "empty source matches the empty key", src: `Switch([s], "d", "x", "1", "", "0")`, attrs: Map{"s": {""}}, want: Str("0")},
		{name: "null source without empty key gives the default", src: `Switch([s], "d", "x", "1")`, want: Str("d")},
		{name: "case-sensitive", src: `Switch([s], "d", "true", "1")`, attrs: Map{"s": {"True"}}, want: Str("d")},
		{name: "boolean source prints as True", src: `Switch(IsPresent([s]), "d", "True", "yes", "False", "no")`, attrs: Map{"s": {"x"}}, want: Str("yes")},
		{name: "omitted default is null", src: `Switch([s], , "a", "1")`, attrs: Map{"s": {"b"}}, want: Null()},
	})
}

func TestCultureCase(t *testing.T) {
	runEval(t, []evalCase{
		{src: `ToUpper("i", "tr-TR")`, want: Str("İ")},
		{src: `ToUpper("i", "az")`, want: Str("İ")},
		{src: `ToUpper("i", "en-US")`, want: Str("I")},
		{src: `ToLower("I", "tr-TR")`, want: Str("ı")},
		{src: `ToLower("İ", "tr")`, want: Str("i")},
		{src: `ToLower("I", "")`, want: Str("i")},
		{src: `ToLower("I", "not a culture")`, wantErr: `argument 2 (culture) "not a culture"`},
	})
}

func TestNewFunctionsEdges(t *testing.T) {
	runEval(t, []evalCase{
		{src: `BitAnd("x", 1)`, wantErr: "not an integer"},
		{src: `BitAnd([a], 1)`, wantErr: "is null"},
		{src: `CBool("0")`, want: Bool(false)},
		{src: `CBool("-2")`, want: Bool(true)},
		{src: `CBool([a])`, want: Bool(false)},
		{src: `CBool("maybe")`, wantErr: `expression is "maybe"`},
		{src: `CDate([a])`, want: Null()},
		{src: `CDate("yesterday")`, wantErr: `"yesterday" is not a date`},
		{src: `CDate("20150123105347.1Z")`, want: Str("1/23/2015 10:53:47 AM")},
		{src: `ConvertFromBase64("!!")`, wantErr: "source is not base64"},
		{src: `ConvertFromBase64("QQ==")`, wantErr: "odd count"},
		{src: `ConvertFromBase64("6Q==", ASCII)`, wantErr: "not ASCII"},
		{src: `ConvertFromBase64("QQ==", "EBCDIC")`, wantErr: `encoding "EBCDIC"`},
		{src: `ConvertToBase64("")`, want: Str("")},
		{src: `ConvertToUTF8Hex("é")`, want: Str("C3A9")},
		{name: "month end clamps", src: `DateAdd("m", 1, "2024-01-31")`, want: Str("2/29/2024 12:00:00 AM")},
		{src: `DateAdd("q", 1, "2024-01-31")`, wantErr: `interval "q"`},
		{src: `DateAdd("d", 1, [a])`, want: Null()},
		{src: `DateAdd("yyyy", 9000, "2024-01-31")`, wantErr: "outside the years"},
		{name: "weeks count Sundays", src: `DateDiff("ww", "2021-08-21", "2021-08-22")`, want: Str("1")},
		{src: `DateDiff("d", [a], "2021-08-22")`, want: Null()},
		{src: `InStr("abc", "")`, want: Str("1")},
		{src: `InStr("abc", "c", 9)`, want: Str("0")},
		{src: `InStr("abc", "c", 0)`, wantErr: "expected 1 or more"},
		{src: `InStr("abc", "c", 1, "exact")`, wantErr: "compareType"},
		{src: `InStr([a], "c")`, want: Null()},
		{src: `InStr("zoë", "ë")`, want: Str("3")},
		{src: `IsString([a])`, want: Bool(false)},
		{src: `IsString([m])`, attrs: Map{"m": {"a", "b"}}, want: Bool(false)},
		{src: `IsString(IsNull([a]))`, want: Bool(true)},
		{src: `NumFromDate("1601-01-01T00:00:00Z")`, want: Str("0")},
		{src: `NumFromDate("1600-12-31")`, wantErr: "before 1601"},
		{src: `PCase("o'NEIL mcdonald-SMITH")`, want: Str("O'Neil Mcdonald-Smith")},
		{src: `PCase("élan vital")`, want: Str("Élan Vital")},
		{src: `PCase([a])`, want: Null()},
		{src: `RemoveDuplicates([a])`, want: Null()},
		{src: `RemoveDuplicates([m])`, attrs: Map{"m": {"a", "A", "a"}}, want: List([]string{"a", "A"})},
		{src: `RemoveDuplicates([m])`, attrs: Map{"m": {"a", "a"}}, want: Str("a")},
		{src: `Contains([a], "x")`, want: Str("0")},
		{src: `Contains([m], "x", "sometimes")`, attrs: Map{"m": {"a"}}, wantErr: "caseType"},
		{src: `DNComponent("cn=Smith\, John,ou=Sales,dc=x", 1)`, want: Str("Smith, John")},
		{src: `DNComponent("cn=Joe,ou=Sales,dc=x", 2)`, want: Str("Sales")},
		{src: `DNComponent("cn=Joe,ou=Sales,dc=x", 4)`, want: Null()},
		{src: `DNComponent("cn=Joe", 0)`, want: Null()},
		{src: `DNComponent("cn=J\4fe", 1)`, want: Str("JOe")},
		{src: `StringFromSid("S-1-5-32-544")`, want: Str("S-1-5-32-544")},
		{src: `StringFromSid("abc")`, wantErr: "too short"},
		{src: `StringFromSid([s])`, attrs: Map{"s": {"\x01\x02\x00\x00\x00\x00\x00\x05\x20\x00\x00\x00"}}, wantErr: "sub-authorities"},
		{src: `SingleAppRoleAssignment([m])`, attrs: Map{"m": {"Admin", "User"}}, want: Str("Admin")},
		{src: `Mid("abcdef", 3)`, want: Str("cdef")},
		{src: `Replace([a], , "(?<g>\\d+)", "g", , [b], )`, attrs: Map{"b": {"no digits"}}, want: Null()},
		{src: `Replace([a], , "(?<g>\\d+)", "g", , [b], )`, attrs: Map{"a": {"kept"}, "b": {"42"}}, want: Str("kept")},
		{src: `Replace([a], , "(?<g>\\d+)", "g", , [b], )`, attrs: Map{"b": {"x42y"}}, want: Str("42")},
		{src: `RandomString(0,0,0,0,0)`, wantErr: "expected 1 to 256"},
		{src: `RandomString(257,0,0,0,0)`, wantErr: "expected 1 to 256"},
		{src: `RandomString(3,2,2,0,0)`, wantErr: "add up to 4"},
		{src: `RandomString(3,1,0,0,0,"0123456789")`, wantErr: "leaves no character"},
		{src: `RandomString(3,-1,0,0,0)`, wantErr: "expected 0 or more"},
	})
}

func TestRandomStringCounts(t *testing.T) {
	e := MustParse(`RandomString(10,2,2,2,1,"?,")`)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		v, err := e.Eval(nil)
		if err != nil {
			t.Fatal(err)
		}
		s := v.String()
		var digits, special, upper, lower int
		for _, r := range s {
			switch {
			case unicode.IsDigit(r):
				digits++
			case unicode.IsUpper(r):
				upper++
			case unicode.IsLower(r):
				lower++
			default:
				special++
			}
		}
		if len(s) != 10 || digits < 2 || special < 2 || upper < 2 || lower < 1 || strings.ContainsAny(s, "?,") {
			t.Fatalf("RandomString gave %q", s)
		}
		seen[s] = true
	}
	if len(seen) < 190 {
		t.Fatalf("only %d distinct values in 200", len(seen))
	}
	six := MustParse(`RandomString(6,3,0,0,3)`)
	v, _ := six.Eval(nil)
	if n := strings.IndexFunc(v.String(), unicode.IsUpper); n >= 0 || len(strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, v.String())) != 3 {
		t.Fatalf("RandomString(6,3,0,0,3) = %q, want 3 digits and 3 lower-case letters", v)
	}
}

func TestNowAndGuid(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return time.Date(2021, 7, 2, 15, 33, 38, 0, time.FixedZone("x", 3600)) }
	runEval(t, []evalCase{
		{src: `Now()`, want: Str("7/2/2021 2:33:38 PM")},
		{src: `DateDiff("d", Now(), CDate("2021-07-12"))`, want: Str("9")},
	})
	a, _ := MustParse(`Guid()`).Eval(nil)
	b, _ := MustParse(`Guid()`).Eval(nil)
	if a.String() == b.String() {
		t.Fatalf("two Guid() calls gave %s", a)
	}
}

func TestSelectUniqueValueRules(t *testing.T) {
	e := MustParse(`SelectUniqueValue([a], [b], "c")`)
	if _, err := e.Eval(Map{"a": {"x"}}); !errors.Is(err, ErrNoUniqueness) {
		t.Fatalf("without a check: %v, want ErrNoUniqueness", err)
	}
	taken := takenSet{"c": true}
	v, err := e.EvalWith(Map{"a": {""}, "b": {"y"}}, Options{Unique: taken})
	if err != nil || v.String() != "y" {
		t.Fatalf("empty first candidate: %#v, %v; want y", v, err)
	}
	// y is now claimed: a second user of the run cannot get it.
	v, err = e.EvalWith(Map{"b": {"y"}}, Options{Unique: taken})
	if !errors.Is(err, ErrNoUniqueValue) || !strings.Contains(err.Error(), `"y", "c"`) {
		t.Fatalf("second user: %#v, %v; want ErrNoUniqueValue naming y and c", v, err)
	}
	if _, err := e.EvalWith(nil, Options{Unique: takenSet{"c": true}}); !errors.Is(err, ErrNoUniqueValue) {
		t.Fatalf("all taken: %v", err)
	}
	if _, err := MustParse(`SelectUniqueValue([m], "x")`).EvalWith(Map{"m": {"a", "b"}}, Options{Unique: takenSet{}}); !errors.Is(err, ErrMultiValued) {
		t.Fatalf("multi-valued candidate: %v, want ErrMultiValued", err)
	}
}

func TestErrorFunction(t *testing.T) {
	_, err := MustParse(`Error("no " & [x])`).Eval(Map{"x": {"mail"}})
	var ee *EvalError
	if !errors.Is(err, ErrCustom) || !errors.As(err, &ee) || ee.Func != "Error" || !strings.Contains(err.Error(), "no mail") {
		t.Fatalf("Error = %v", err)
	}
}

func TestIgnoreFlowValue(t *testing.T) {
	for _, tc := range []struct {
		src    string
		attrs  Map
		ignore bool
	}{
		{`IgnoreFlowIfNullOrEmpty([a])`, nil, true},
		{`IgnoreFlowIfNullOrEmpty([a])`, Map{"a": {""}}, true},
		{`IgnoreFlowIfNullOrEmpty([a])`, Map{"a": {"", ""}}, true},
		{`IgnoreFlowIfNullOrEmpty([a])`, Map{"a": {"", "x"}}, false},
		{`IgnoreFlowIfNullOrEmpty([a])`, Map{"a": {"0"}}, false},
		// Nested, it is a null like any other.
		{`Coalesce(IgnoreFlowIfNullOrEmpty([a]), "d")`, nil, false},
	} {
		v, err := MustParse(tc.src).Eval(tc.attrs)
		if err != nil || v.IgnoreFlow() != tc.ignore {
			t.Errorf("%s with %v = %#v (ignore %v), %v; want ignore %v", tc.src, tc.attrs, v, v.IgnoreFlow(), err, tc.ignore)
		}
	}
}

func TestUsesUniqueness(t *testing.T) {
	for src, want := range map[string]bool{
		`SelectUniqueValue([a], [b])`: true,
		`selectuniquevalue([a], "x")`: true,
		`Join(",", [a], "b")`:         false,
		`[a]`:                         false,
		`IIF([a] = "x", "y", "z")`:    false,
	} {
		if got := MustParse(src).UsesUniqueness(); got != want {
			t.Errorf("UsesUniqueness(%s) = %v, want %v", src, got, want)
		}
	}
}
