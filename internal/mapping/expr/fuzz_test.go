package expr

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are expressions that exercise every function and the parser's
// error paths.
var fuzzSeeds = []string{
	`Switch([IsSoftDeleted], "False", "True", "True", "False")`,
	`Switch([IsSoftDeleted], , "False", "True", "True", "False")`,
	`Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))`,
	`IIF([country]="USA",[country],[department])`,
	`Coalesce([mail],[userPrincipalName], "x")`,
	`ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [a], [b]))), "contoso.com"), "en-US")`,
	`ToUpper(Trim([a]))`,
	`Left([a], -3)`, `Mid([a], 0, 99)`, `Word([a], 2, ",; ")`, `Item(Split([a], ","), 2)`,
	`Replace([mail], "@contoso.com", , ,"", ,)`, `Replace([a], , "(?<x>\\d+)", "x", "N", , )`,
	`Replace([a], , [b], , "${1}", , )`, `Replace([a], "{0}", , , , , "CN={0}")`, `Replace([a], "x", "y")`,
	`FormatDateTime([a], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`, `FormatDateTime([a], [b], [c], "o")`,
	`DateFromNum([a])`, `CStr(IsPresent([a]))`, `Not(IsNullOrEmpty([a]))`, `IsNull([a]) <> "x"`, `Count([a]) >= 2`,
	`BitAnd(&HF, &HF7)`, `CBool([a] = [b])`, `CDate([a])`, `ConvertToBase64([a])`, `ConvertFromBase64([a], UTF8)`,
	`ConvertToUTF8Hex([a])`, `DateAdd("m", [b], CDate([a]))`, `DateDiff("ww", [a], Now())`, `Guid()`,
	`IgnoreFlowIfNullOrEmpty([a])`, `InStr([a], [b], 2, vbTextCompare)`, `IsString([a])`, `NumFromDate([a])`,
	`PCase([a], " '-")`, `RandomString(10,2,2,2,1,[c])`, `Redact([a])`, `RemoveDuplicates([a])`,
	`SelectUniqueValue([a], [b])`, `SingleAppRoleAssignment([a])`, `Contains([a], [b], CaseInsensitive)`,
	`DNComponent(CRef([a]), 2)`, `IIF(IsPresent([a]), [a], Error("no " & [b]))`, `StringFromSid([a])`,
	`"t-" & [a] & [b]`, `ToUpper([a], "tr-TR")`, `Replace([a], , "(?<g>\d+)", "g", , [b], )`, `Mid([a], 2)`,
	`&H`, `&HZZ`, `Join(",", SelectUniqueValue([a], [b]))`, `Swtich([a], "", "x", "y")`,
	`"unterminated`, `[unterminated`, `Join(`, `Foo()`, `Left(,)`, `-`, `[a] = = [b]`, "Join(\",\",\n [a])",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", src, err)
			}
			if se.Pos < 1 || se.Pos > utf8.RuneCountInString(src)+1 || se.Line < 1 || se.Column < 1 {
				t.Fatalf("Parse(%q) position %+v out of range", src, se)
			}
			return
		}
		if e.String() != src {
			t.Fatalf("String() = %q, want %q", e.String(), src)
		}
		// Evaluating against no attributes must not panic either.
		if _, err := e.Eval(nil); err != nil {
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Eval(%q) error %T is not an *EvalError", src, err)
			}
		}
	})
}

func FuzzEval(f *testing.F) {
	values := [][3]string{
		{"R&D Manager", "20150123105347.1Z", "129699324000000000"},
		{"", "-1", "yyyy-MM-dd"},
		{"Zoë Ünal", "a,b,,c", "True"},
		{"(", "${1}$$$", "9223372036854775807"},
	}
	for i, s := range fuzzSeeds {
		v := values[i%len(values)]
		f.Add(s, v[0], v[1], v[2], i%3 == 0)
	}
	f.Fuzz(func(t *testing.T, src, a, b, c string, multi bool) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		attrs := Map{"a": {a}, "b": {b}, "c": {c}, "city": {a}, "jobTitle": {b}, "mail": {c}}
		if multi {
			attrs["a"] = []string{a, b, c}
		}
		v, err := e.Eval(attrs)
		if err != nil {
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Eval(%q) error %T is not an *EvalError", src, err)
			}
			if !v.IsNull() {
				t.Fatalf("Eval(%q) returned %#v with an error", src, v)
			}
			return
		}
		_ = v.String()
		_ = v.Strings()
	})
}
