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
package expr
