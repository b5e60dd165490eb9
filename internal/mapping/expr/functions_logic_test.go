package expr

import "testing"

func TestSwitch(t *testing.T) {
	const tz = `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")`
	runEval(t, []evalCase{
		{src: tz, attrs: Map{"state": {"QLD"}}, want: Str("Australia/Brisbane")},
		{name: "default", src: tz, attrs: Map{"state": {"WA"}}, want: Str("Australia/Sydney")},
		{name: "case-sensitive keys", src: tz, attrs: Map{"state": {"qld"}}, want: Str("Australia/Sydney")},
		{name: "null source", src: tz, want: Str("Australia/Sydney")},
		{name: "omitted default", src: `Switch([a], , "1", "x")`, attrs: Map{"a": {"2"}}, want: Null()},
		{name: "entra active mapping", src: `Switch([IsSoftDeleted], , "False", "True", "True", "False")`, attrs: Map{"IsSoftDeleted": {"False"}}, want: Str("True")},
		{name: "entra active mapping missing", src: `Switch([IsSoftDeleted], , "False", "True", "True", "False")`, want: Null()},
		{name: "boolean source", src: `Switch(IsPresent([a]), "?", "True", "yes", "False", "no")`, want: Str("no")},
		{name: "unused branch not evaluated", src: `Switch("a", "d", "a", "ok", "b", Left("x", "bad"))`, want: Str("ok")},
		{name: "multi-valued source", src: `Switch([m], "d", "a", "b")`, attrs: Map{"m": {"a", "b"}}, wantErr: "Switch at position 1: argument 1 (source) has 2 values"},
		{name: "null key skipped", src: `Switch("", "d", [k], "x")`, want: Str("d")},
	})
}

func TestIIF(t *testing.T) {
	const src = `IIF([country]="USA",[country],[department])`
	runEval(t, []evalCase{
		{src: src, attrs: Map{"country": {"USA"}, "department": {"Sales"}}, want: Str("USA")},
		{src: src, attrs: Map{"country": {"Italy"}, "department": {"Sales"}}, want: Str("Sales")},
		{name: "null condition is false", src: `IIF([flag], "t", "f")`, want: Str("f")},
		{name: "string condition", src: `IIF("TRUE", "t", "f")`, want: Str("t")},
		{name: "bad condition", src: `IIF("maybe", "t", "f")`, wantErr: `IIF at position 1: condition is the string "maybe", expected True or False`},
		{name: "lazy", src: `IIF(IsPresent([a]), Left("x", "bad"), "f")`, want: Str("f")},
		{name: "numeric comparison", src: `IIF([n] > 5, "big", "small")`, attrs: Map{"n": {"10"}}, want: Str("big")},
		{name: "string comparison", src: `IIF([s] < "b", "lt", "ge")`, attrs: Map{"s": {"10"}}, want: Str("lt")},
	})
}

func TestComparisons(t *testing.T) {
	runEval(t, []evalCase{
		{src: `[a] = "x"`, attrs: Map{"a": {"x"}}, want: Bool(true)},
		{src: `[a] = "X"`, attrs: Map{"a": {"x"}}, want: Bool(false)},
		{src: `[a] <> "x"`, attrs: Map{"a": {"y"}}, want: Bool(true)},
		{src: `[a] != "x"`, attrs: Map{"a": {"x"}}, want: Bool(false)},
		{src: `[a] == "x"`, attrs: Map{"a": {"x"}}, want: Bool(true)},
		{name: "null equals null", src: `[a] = [b]`, want: Bool(true)},
		{name: "null not equal", src: `[a] = "x"`, want: Bool(false)},
		{name: "null differs", src: `[a] <> "x"`, want: Bool(true)},
		{name: "null ordering", src: `[a] < "x"`, want: Bool(false)},
		{name: "numbers", src: `9 < 10`, want: Bool(true)},
		{name: "strings", src: `"9" < "10x"`, want: Bool(false)},
		{name: "ge", src: `10 >= 10`, want: Bool(true)},
		{name: "le", src: `-1 <= -2`, want: Bool(false)},
		{name: "bool and string", src: `IsPresent("a") = "true"`, want: Bool(true)},
		{name: "multi-valued", src: `[m] = "a"`, attrs: Map{"m": {"a", "b"}}, wantErr: "left operand has 2 values"},
	})
}

func TestCoalesce(t *testing.T) {
	runEval(t, []evalCase{
		{src: `Coalesce([mail],[userPrincipalName])`, attrs: Map{"userPrincipalName": {"John.Doe@contoso.com"}}, want: Str("John.Doe@contoso.com")},
		{src: `Coalesce([mail],[userPrincipalName])`, attrs: Map{"mail": {"j@c.com"}, "userPrincipalName": {"u"}}, want: Str("j@c.com")},
		{name: "default", src: `Coalesce([a], [b], "none")`, want: Str("none")},
		{name: "empty string is a value", src: `Coalesce([a], "x")`, attrs: Map{"a": {""}}, want: Str("")},
		{name: "all null", src: `Coalesce([a], [b])`, want: Null()},
		{name: "single", src: `Coalesce([a])`, want: Null()},
		{name: "lazy", src: `Coalesce("x", Left("x", "bad"))`, want: Str("x")},
	})
}

func TestPredicates(t *testing.T) {
	runEval(t, []evalCase{
		{src: `IsPresent([a])`, attrs: Map{"a": {"x"}}, want: Bool(true)},
		{src: `IsPresent([a])`, attrs: Map{"a": {""}}, want: Bool(false)},
		{src: `IsPresent([a])`, want: Bool(false)},
		{src: `IsPresent([m])`, attrs: Map{"m": {"", "x"}}, want: Bool(true)},
		{src: `IsNullOrEmpty([a])`, want: Bool(true)},
		{src: `IsNullOrEmpty([a])`, attrs: Map{"a": {""}}, want: Bool(true)},
		{src: `IsNullOrEmpty([a])`, attrs: Map{"a": {"x"}}, want: Bool(false)},
		{src: `IsNull([a])`, attrs: Map{"a": {""}}, want: Bool(false)},
		{src: `IsNull([a])`, want: Bool(true)},
		{src: `Not(IsPresent([a]))`, want: Bool(true)},
		{src: `Not("True")`, want: Bool(false)},
		{src: `Not("false")`, want: Bool(true)},
		{name: "not of null", src: `Not([a])`, want: Bool(true)},
		{name: "not of text", src: `Not("abc")`, want: Bool(true)},
		{name: "not of list", src: `Not([m])`, attrs: Map{"m": {"a", "b"}}, wantErr: "Not at position 1: argument 1 (source) has 2 values"},
	})
}

func TestListFunctions(t *testing.T) {
	proxies := Map{"proxyAddresses": {"SMTP:a@x.com", "smtp:b@x.com", "smtp:c@x.com"}}
	runEval(t, []evalCase{
		{src: `Split("PermissionSetOne,PermissionSetTwo", ",")`, want: List([]string{"PermissionSetOne", "PermissionSetTwo"})},
		{name: "split keeps spaces", src: `Split("a, b", ",")`, want: List([]string{"a", " b"})},
		{name: "split empty delimiter", src: `Split("a,b", "")`, want: List([]string{"a,b"})},
		{name: "split null", src: `Split([a], ",")`, want: Null()},
		{name: "split empty", src: `Split("", ",")`, want: List([]string{""})},
		{src: `Item([proxyAddresses], 1)`, attrs: proxies, want: Str("SMTP:a@x.com")},
		{src: `Item([proxyAddresses], 3)`, attrs: proxies, want: Str("smtp:c@x.com")},
		{name: "item zero", src: `Item([proxyAddresses], 0)`, attrs: proxies, want: Null()},
		{name: "item negative", src: `Item([proxyAddresses], -1)`, attrs: proxies, want: Null()},
		{name: "item oversized", src: `Item([proxyAddresses], 4)`, attrs: proxies, want: Null()},
		{name: "item of single", src: `Item([a], 1)`, attrs: Map{"a": {"x"}}, want: Str("x")},
		{name: "item of null", src: `Item([a], 1)`, want: Null()},
		{name: "item of split", src: `Item(Split("a.b.c", "."), 2)`, want: Str("b")},
		{name: "item bad index", src: `Item([a], "first")`, wantErr: "Item at position 1: argument 2 (index)"},
		{src: `Count([proxyAddresses])`, attrs: proxies, want: Str("3")},
		{src: `Count([a])`, want: Str("0")},
	})
}

func TestReplace(t *testing.T) {
	runEval(t, []evalCase{
		{src: `Replace([mail], "@contoso.com", , ,"", ,)`, attrs: Map{"mail": {"john.doe@contoso.com"}}, want: Str("john.doe")},
		{name: "shorthand", src: `Replace([mail], "@contoso.com", "@fabrikam.com")`, attrs: Map{"mail": {"j@contoso.com"}}, want: Str("j@fabrikam.com")},
		{name: "case-sensitive", src: `Replace("A-a", "a", "b")`, want: Str("A-b")},
		{name: "all occurrences", src: `Replace("a.b.c", ".", , , "_", , )`, want: Str("a_b_c")},
		{name: "template", src: `Replace([u], "{0}", , , , , "CN={0},OU=Users")`, attrs: Map{"u": {"jdoe"}}, want: Str("CN=jdoe,OU=Users")},
		{name: "regex", src: `Replace([mailNickname], , "[a-zA-Z_]*", , "", , )`, attrs: Map{"mailNickname": {"john_doe72"}}, want: Str("72")},
		{name: "regex groups", src: `Replace("Doe, John", , "(?<last>\\w+), (?<first>\\w+)", , "${first} ${last}", , )`, want: Str("John Doe")},
		{name: "regex group name", src: `Replace("id-123-x", , "id-(?<num>\\d+)", "num", "N", , )`, want: Str("id-N-x")},
		{name: "regex dynamic", src: `Replace("abc", , [p], , "X", , )`, attrs: Map{"p": {"b"}}, want: Str("aXc")},
		{name: "regex dynamic invalid", src: `Replace("abc", , [p], , "X", , )`, attrs: Map{"p": {"("}}, wantErr: "Replace at position 1: invalid regexPattern"},
		{name: "regex dynamic missing group", src: `Replace("abc", , "b", [g], "X", , )`, attrs: Map{"g": {"nope"}}, wantErr: `regexPattern has no group named "nope"`},
		{name: "null source", src: `Replace([x], "a", "b")`, want: Null()},
		{name: "empty old value", src: `Replace("abc", "", "x")`, want: Str("abc")},
		{name: "null old value", src: `Replace("abc", [o], "x")`, want: Str("abc")},
		{name: "multi-valued source", src: `Replace([m], "a", "b")`, attrs: Map{"m": {"a1", "a2"}}, want: List([]string{"b1", "b2"})},
	})
}
