// Package expr implements an expression language compatible with the
// attribute-mapping expressions of Microsoft Entra ID provisioning.
//
// An expression is an attribute reference, a string constant, a number, an
// enumeration name or a function call, possibly joined with "&" and
// compared with another one:
//
//	expr      = concat [ compareOp concat ]
//	concat    = operand { "&" operand }
//	operand   = attribute | string | number | enum | call
//	attribute = "[" name "]"                  (names are case-insensitive)
//	string    = `"` { char | `\"` | `\\` } `"`
//	number    = [ "-" ] digit { digit } | "&H" hexdigit { hexdigit }
//	enum      = vbBinaryCompare | vbTextCompare | Unicode | UTF8 | ASCII |
//	            CaseSensitive | CaseInsensitive  (read as their name)
//	call      = Name "(" [ arg { "," arg } ] ")"  (names are case-insensitive)
//	arg       = [ expr ]                       (an omitted argument is null)
//	compareOp = "=" | "<>" | "!=" | "<" | "<=" | ">" | ">="
//
// Omitted arguments are what Entra uses for optional parameters, as in
// Replace([mail], "@contoso.com", , , "", , ) or
// FormatDateTime([d], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd"). Comparisons exist
// because Entra's IIF takes conditions such as [country]="USA".
//
// Evaluation works on [Value]s: null (a missing attribute or an omitted
// argument), a string, a boolean or a list of strings (a multi-valued
// attribute, or the result of Split). Numbers are strings that functions
// parse when they need an integer. Evaluation never panics: every function
// checks its inputs and reports problems as an [*EvalError] naming the
// function.
//
// # Compatibility notes
//
// Functions follow Entra's documented argument orders and edge cases. Where
// Entra's documentation is silent, usersync decides as follows:
//
//   - Append treats a null side as empty (Append("Custom1=", [missing]) is
//     "Custom1="); Join skips null sources and empty values.
//   - Switch compares keys exactly and case-sensitively; a null source
//     matches the key "". Five arguments (the form the Entra portal
//     displays for its default active mapping, with the empty default
//     dropped) read as pairs after the source with the first key also the
//     default; other odd counts are refused.
//   - Replace also accepts the shorthand Replace(source, oldValue,
//     replacementValue); regular expressions use Go's RE2 syntax.
//   - IgnoreFlowIfNullOrEmpty gives a null for which [Value.IgnoreFlow] is
//     true; SelectUniqueValue needs [Options.Unique] and must be the whole
//     expression.
//   - In string constants a backslash before anything other than a quote or
//     a backslash is kept, so "\d" and "\d" both mean \d.
//   - FormatDateTime supports .NET custom format specifiers (y, M, d, h, H,
//     m, s, f, F, t, z, K, g, quoted and escaped literals) and the
//     invariant-culture standard formats; local time is UTC.
//   - DateFromNum returns Entra's "M/d/yyyy h:mm:ss tt" text in UTC and
//     null for AD's "never" values 0 and 9223372036854775807.
//   - Characters are counted as Unicode code points, not UTF-16 units.
//
// [Reference] documents every function with Microsoft's examples, which the
// tests evaluate; docs/expressions.md is generated from it.
package expr
