// Package expr implements an expression language compatible with the
// attribute-mapping expressions of Microsoft Entra ID provisioning.
//
// An expression is an attribute reference, a string constant, a number, or a
// function call, optionally compared with another one:
//
//	expr      = operand [ compareOp operand ]
//	operand   = attribute | string | number | call
//	attribute = "[" name "]"                  (names are case-insensitive)
//	string    = `"` { char | `\"` | `\\` } `"`
//	number    = [ "-" ] digit { digit }
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
//     "Custom1="); Join skips null sources but keeps empty strings.
//   - Switch compares keys exactly, but "true"/"True"/"TRUE" match as
//     booleans. With an odd number of arguments (the form the Entra portal
//     displays for its default active mapping, with the empty default
//     dropped) pairs start after the source and the first key is also the
//     default.
//   - Replace also accepts the shorthand Replace(source, oldValue,
//     replacementValue); replacementAttributeName is not supported; regular
//     expressions use Go's RE2 syntax.
//   - In string constants a backslash before anything other than a quote or
//     a backslash is kept, so "\d" and "\d" both mean \d.
//   - FormatDateTime supports .NET custom format specifiers (y, M, d, h, H,
//     m, s, f, F, t, z, K, g, quoted and escaped literals) and the
//     invariant-culture standard formats; local time is UTC.
//   - DateFromNum returns Entra's "M/d/yyyy h:mm:ss tt" text in UTC and
//     null for AD's "never" values 0 and 9223372036854775807.
//   - Characters are counted as Unicode code points, not UTF-16 units.
package expr
