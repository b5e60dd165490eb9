package expr

import "testing"

func TestSeed004Vectors(t *testing.T) {
	const active = `Switch([IsSoftDeleted], "False", "True", "True", "False")`
	const custom = `Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))`
	runEval(t, []evalCase{
		{name: "soft-deleted", src: active, attrs: Map{"IsSoftDeleted": {"True"}}, want: Str("False")},
		{name: "soft-deleted lowercase", src: active, attrs: Map{"isSoftDeleted": {"true"}}, want: Str("False")},
		{name: "not soft-deleted", src: active, attrs: Map{"IsSoftDeleted": {"False"}}, want: Str("True")},
		// Keys compare case-sensitively, as Microsoft documents: an LDAP
		// boolean "FALSE" matches no key and gets the default.
		{name: "not soft-deleted LDAP case", src: active, attrs: Map{"IsSoftDeleted": {"FALSE"}}, want: Str("False")},
		{name: "not soft-deleted LDAP normalized", src: `Switch(PCase([IsSoftDeleted]), "False", "True", "True", "False")`, attrs: Map{"IsSoftDeleted": {"FALSE"}}, want: Str("True")},
		{name: "soft-deleted missing", src: active, want: Str("False")},
		{name: "custom city missing", src: custom, attrs: Map{"jobTitle": {"R&D Manager"}},
			want: Str("ImagicleCustomFields$$$Custom1=$$$Custom2=R&D Manager")},
		{name: "custom city empty", src: custom, attrs: Map{"city": {""}, "jobTitle": {"R&D Manager"}},
			want: Str("ImagicleCustomFields$$$Custom1=$$$Custom2=R&D Manager")},
		{name: "custom both set", src: custom, attrs: Map{"city": {"Pisa"}, "jobTitle": {"CTO"}},
			want: Str("ImagicleCustomFields$$$Custom1=Pisa$$$Custom2=CTO")},
	})
}

func TestAppend(t *testing.T) {
	runEval(t, []evalCase{
		{src: `Append([userPrincipalName], ".test")`, attrs: Map{"userPrincipalName": {"John.Doe@contoso.com"}}, want: Str("John.Doe@contoso.com.test")},
		{name: "null source", src: `Append([x], ".test")`, want: Str(".test")},
		{name: "null suffix", src: `Append("Custom1=", [x])`, want: Str("Custom1=")},
		{name: "both null", src: `Append([x], [y])`, want: Null()},
		{name: "empty", src: `Append("", "")`, want: Str("")},
		{name: "multi-valued source", src: `Append([m], "!")`, attrs: Map{"m": {"a", "b"}}, want: List([]string{"a!", "b!"})},
		{name: "multi-valued suffix", src: `Append("x", [m])`, attrs: Map{"m": {"a", "b"}}, wantErr: "argument 2 (suffix) has 2 values"},
		{name: "boolean", src: `Append(IsPresent([x]), "!")`, want: Str("False!")},
		{name: "nested", src: `Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))`, attrs: Map{"givenName": {"John"}, "surname": {"Doe"}}, want: Str("JohDoe")},
	})
}

func TestJoin(t *testing.T) {
	runEval(t, []evalCase{
		{src: `Join(".", [a], [b])`, attrs: Map{"a": {"John"}, "b": {"Smith"}}, want: Str("John.Smith")},
		{name: "multi-valued joined element-wise", src: `Join(",", [m], "z")`, attrs: Map{"m": {"x", "y"}}, want: Str("x,y,z")},
		{name: "null skipped", src: `Join(" ", [a], [b])`, attrs: Map{"b": {"Smith"}}, want: Str("Smith")},
		{name: "empty skipped", src: `Join(" ", [a], [b])`, attrs: Map{"a": {""}, "b": {"Smith"}}, want: Str("Smith")},
		{name: "empty constant skipped", src: `Join(", ", "", [surname], [givenName])`, attrs: Map{"givenName": {"John"}, "surname": {"Doe"}}, want: Str("Doe, John")},
		{name: "every source empty", src: `Join(",", "", [a])`, attrs: Map{"a": {""}}, want: Str("")},
		{name: "all null", src: `Join(" ", [a], [b])`, want: Null()},
		{name: "empty separator", src: `Join("", "a", "b")`, want: Str("ab")},
		{name: "null separator", src: `Join([s], "a", "b")`, want: Str("ab")},
		{name: "split then join", src: `Join("|", Split("a,b,c", ","))`, want: Str("a|b|c")},
	})
}

func TestCaseFunctions(t *testing.T) {
	runEval(t, []evalCase{
		{src: `ToLower("John.SMITH@Contoso.com")`, want: Str("john.smith@contoso.com")},
		{src: `ToLower("ÀÉÎ", "fr-FR")`, want: Str("àéî")},
		{src: `ToUpper("straße")`, want: Str("STRAßE")},
		{src: `ToUpper("abc", "en-US")`, want: Str("ABC")},
		{src: `ToUpper([x])`, want: Null()},
		{src: `ToLower([m])`, attrs: Map{"m": {"A", "B"}}, want: List([]string{"a", "b"})},
		{src: `ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [f], [l]))), "contoso.com"))`,
			attrs: Map{"f": {"Jéssica Ann"}, "l": {"Smith"}}, want: Str("jessicaann.smith@contoso.com")},
	})
}

func TestLeft(t *testing.T) {
	runEval(t, []evalCase{
		{src: `Left("John Doe", 3)`, want: Str("Joh")},
		{name: "zero", src: `Left("John Doe", 0)`, want: Str("")},
		{name: "negative", src: `Left("John Doe", -1)`, want: Str("John Doe")},
		{name: "oversized", src: `Left("John", 99)`, want: Str("John")},
		{name: "huge", src: `Left("John", 9223372036854775807)`, want: Str("John")},
		{name: "null", src: `Left([x], 3)`, want: Str("")},
		{name: "empty", src: `Left("", 3)`, want: Str("")},
		{name: "runes", src: `Left("Zoë Ünal", 3)`, want: Str("Zoë")},
		{name: "string count", src: `Left("John", "2")`, want: Str("Jo")},
		{name: "bad count", src: `Left("John", "two")`, wantErr: `Left at position 1: argument 2 (numChars) is "two": not an integer`},
		{name: "null count", src: `Left("John", [n])`, wantErr: "argument 2 (numChars) is null"},
		{name: "count overflow", src: `Left("John", 99999999999999999999)`, wantErr: "not an integer"},
	})
}

func TestMid(t *testing.T) {
	runEval(t, []evalCase{
		{src: `Mid("John Doe", 1, 3)`, want: Str("Joh")},
		{src: `Mid("John Doe", 6, 3)`, want: Str("Doe")},
		{name: "length past end", src: `Mid("John Doe", 6, 100)`, want: Str("Doe")},
		{name: "start past end", src: `Mid("John", 10, 2)`, want: Str("")},
		{name: "start zero", src: `Mid("John", 0, 2)`, want: Str("Jo")},
		{name: "start negative", src: `Mid("John", -5, 2)`, want: Str("Jo")},
		{name: "length zero", src: `Mid("John", 1, 0)`, want: Str("")},
		{name: "length negative", src: `Mid("John", 1, -1)`, want: Str("")},
		{name: "null", src: `Mid([x], 1, 1)`, want: Null()},
		{name: "runes", src: `Mid("Ðàñïêł", 2, 3)`, want: Str("àñï")},
		{name: "bad start", src: `Mid("John", "x", 1)`, wantErr: "Mid at position 1: argument 2 (start)"},
		{name: "max ints", src: `Mid("John", 9223372036854775807, 9223372036854775807)`, want: Str("")},
		{name: "min ints", src: `Mid("John", -9223372036854775808, 2)`, want: Str("Jo")},
	})
}

func TestSpacesAndTrim(t *testing.T) {
	runEval(t, []evalCase{
		{src: `StripSpaces(" a b  c ")`, want: Str("abc")},
		{src: "StripSpaces(\"a\tb\")", want: Str("a\tb")},
		{src: `StripSpaces([x])`, want: Null()},
		{src: "Trim(\"  a b \t\")", want: Str("a b")},
		{src: `Trim("")`, want: Str("")},
		{src: `Trim([m])`, attrs: Map{"m": {" a", "b "}}, want: List([]string{"a", "b"})},
	})
}

func TestNormalizeDiacritics(t *testing.T) {
	runEval(t, []evalCase{
		{src: `NormalizeDiacritics("Zoë")`, want: Str("Zoe")},
		{src: `NormalizeDiacritics("Jéssica Ñúñez Straße Øre Æsir ÇİĞ")`, want: Str("Jessica Nunez Strasse OEre AEsir CIG")},
		{name: "combining marks", src: "NormalizeDiacritics(\"a\u0331 e\u0304\u0301\")", want: Str("a e")},
		{name: "other scripts kept", src: `NormalizeDiacritics("Ωмега 東京")`, want: Str("Ωмега 東京")},
		{src: `NormalizeDiacritics([x])`, want: Null()},
	})
}

func TestWord(t *testing.T) {
	runEval(t, []evalCase{
		{src: `Word("The quick brown fox", 3, " ")`, want: Str("brown")},
		{src: `Word("This,string!has&many separators", 3, ",!&#")`, want: Str("has")},
		{name: "consecutive delimiters", src: `Word("a,,b", 2, ",")`, want: Str("b")},
		{name: "zero", src: `Word("a b", 0, " ")`, want: Str("")},
		{name: "negative", src: `Word("a b", -1, " ")`, want: Str("")},
		{name: "too few", src: `Word("a b", 3, " ")`, want: Str("")},
		{name: "null", src: `Word([x], 1, " ")`, want: Str("")},
		{name: "no delimiters", src: `Word("a b", 1, "")`, want: Str("a b")},
		{name: "bad number", src: `Word("a b", "x", " ")`, wantErr: "Word at position 1: argument 2 (wordNumber)"},
	})
}

func TestCStr(t *testing.T) {
	runEval(t, []evalCase{
		{src: `CStr([dn])`, attrs: Map{"dn": {"cn=Joe,dc=contoso,dc=com"}}, want: Str("cn=Joe,dc=contoso,dc=com")},
		{src: `CStr(42)`, want: Str("42")},
		{src: `CStr(IsNull([x]))`, want: Str("True")},
		{src: `CStr([x])`, want: Null()},
		{src: `CStr([m])`, attrs: Map{"m": {"a", "b"}}, wantErr: "CStr at position 1: argument 1 (value) has 2 values"},
	})
}
