package expr

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// concatFunction evaluates the "&" operator. It is not a named function:
// a call to it comes only from "a & b".
var concatFunction = &function{name: "&", params: []string{"left", "right"}, variadic: true, eval: evalConcat}

func init() {
	register(
		&function{name: "InStr", params: []string{"value1", "value2", "?start", "?compareType"}, eval: evalInStr},
		&function{name: "PCase", params: []string{"source", "?wordSeparators"}, eval: evalPCase},
		&function{name: "RemoveDuplicates", params: []string{"attribute"}, eval: evalRemoveDuplicates},
		&function{name: "Redact", params: []string{"value"}, eval: evalIdentity},
		&function{name: "Contains", params: []string{"attribute", "search", "?caseType"}, eval: evalContains},
		&function{name: "CRef", params: []string{"dn"}, eval: evalIdentity},
		&function{name: "DNComponent", params: []string{"dn", "componentNumber"}, eval: evalDNComponent},
		&function{name: "Error", params: []string{"message"}, eval: evalError},
		&function{name: "SingleAppRoleAssignment", params: []string{"appRoleAssignments"}, eval: evalSingle},
		&function{name: "IgnoreFlowIfNullOrEmpty", params: []string{"expression"}, eval: evalIgnoreFlow},
	)
}

// ErrCustom is wrapped by the error the Error function raises.
var ErrCustom = errors.New("the expression raised an error")

// evalConcat implements a & b: the texts one after the other, a null side
// counting as empty. The result is null only when every side is null.
func evalConcat(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	var b strings.Builder
	present := false
	for i, v := range vals {
		s, null, err := scalar(c, i, v)
		if err != nil {
			return Null(), err
		}
		present = present || !null
		b.WriteString(s)
	}
	if !present {
		return Null(), nil
	}
	return Str(b.String()), nil
}

// evalIdentity returns its only argument unchanged. Redact and CRef are
// this function: usersync keeps no provisioning log of values to hide, and
// a DN is already text.
func evalIdentity(ev *evaluator, c *callNode) (Value, error) {
	return ev.eval(c.args[0])
}

// evalInStr implements InStr(value1, value2, start, compareType): the
// 1-based position of the first value2 in value1 at or after start (1 when
// omitted), or 0 when there is none. compareType vbTextCompare ignores case;
// vbBinaryCompare, the default, does not. A null value1 gives null.
func evalInStr(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, vals[0])
	if err != nil {
		return Null(), err
	}
	sub, _, err := scalar(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	start := int64(1)
	if len(vals) > 2 && !vals[2].IsNull() {
		if start, err = integer(c, 2, vals[2]); err != nil {
			return Null(), err
		}
		if start < 1 {
			return Null(), fail(c, "argument 3 (start) is %d, expected 1 or more", start)
		}
	}
	fold := false
	if len(vals) > 3 && !vals[3].IsNull() {
		ct, _, err := scalar(c, 3, vals[3])
		if err != nil {
			return Null(), err
		}
		switch strings.ToLower(strings.TrimSpace(ct)) {
		case "vbbinarycompare", "0":
		case "vbtextcompare", "1":
			fold = true
		default:
			return Null(), fail(c, "argument 4 (compareType) is %s, expected vbBinaryCompare or vbTextCompare", quote(ct))
		}
	}
	if null {
		return Null(), nil
	}
	hay, needle := []rune(s), []rune(sub)
	if fold {
		hay, needle = []rune(strings.ToLower(s)), []rune(strings.ToLower(sub))
	}
	if start > int64(len(hay))+1 {
		return Str("0"), nil
	}
	for i := int(start) - 1; i+len(needle) <= len(hay); i++ {
		if string(hay[i:i+len(needle)]) == string(needle) {
			return Str(strconv.Itoa(i + 1)), nil
		}
	}
	return Str("0"), nil
}

// evalPCase implements PCase(source, wordSeparators): every word gets an
// upper-case first letter and lower-case other letters. Without
// wordSeparators, any character that is not a letter, a digit or a
// combining mark separates words (as .NET's ToTitleCase does); with it,
// only its characters do.
func evalPCase(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	isSep := func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	}
	if len(vals) > 1 && !vals[1].IsNull() {
		seps, _, err := scalar(c, 1, vals[1])
		if err != nil {
			return Null(), err
		}
		isSep = func(r rune) bool { return strings.ContainsRune(seps, r) }
	}
	return mapStrings(vals[0], func(s string) string {
		var b strings.Builder
		first := true
		for _, r := range s {
			switch {
			case isSep(r):
				first = true
				b.WriteRune(r)
			case first:
				first = false
				b.WriteRune(unicode.ToTitle(r))
			default:
				b.WriteRune(unicode.ToLower(r))
			}
		}
		return b.String()
	}), nil
}

// evalRemoveDuplicates implements RemoveDuplicates(attribute): the values
// in their order, each exactly equal value kept once.
func evalRemoveDuplicates(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil || v.Kind() != KindList {
		return v, err
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range v.list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return fromValues(out), nil
}

// evalContains implements Contains(attribute, search, caseType): the
// 1-based index of the first value that contains search, or 0. caseType
// is CaseSensitive (the default) or CaseInsensitive. A null attribute
// gives 0.
func evalContains(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	search, _, err := scalar(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	fold := false
	if len(vals) > 2 && !vals[2].IsNull() {
		ct, _, err := scalar(c, 2, vals[2])
		if err != nil {
			return Null(), err
		}
		switch strings.ToLower(strings.TrimSpace(ct)) {
		case "casesensitive":
		case "caseinsensitive":
			fold = true
		default:
			return Null(), fail(c, "argument 3 (caseType) is %s, expected CaseSensitive or CaseInsensitive", quote(ct))
		}
	}
	for i, s := range vals[0].Strings() {
		if fold && strings.Contains(strings.ToLower(s), strings.ToLower(search)) || !fold && strings.Contains(s, search) {
			return Str(strconv.Itoa(i + 1)), nil
		}
	}
	return Str("0"), nil
}

// evalDNComponent implements DNComponent(dn, componentNumber): the value of
// the componentNumber-th relative name of the DN counted from the left, so
// DNComponent(CRef([dn]), 1) of "cn=Joe,ou=Sales,dc=example" is "Joe".
// Escaped characters are unescaped. A number beyond the DN's components,
// or below 1, gives null, as does a null DN.
func evalDNComponent(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	dn, null, err := scalar(c, 0, vals[0])
	if err != nil {
		return Null(), err
	}
	n, err := integer(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	if null {
		return Null(), nil
	}
	parts := splitDN(dn)
	if n < 1 || n > int64(len(parts)) {
		return Null(), nil
	}
	rdn := parts[n-1]
	if i := strings.IndexByte(rdn, '='); i >= 0 {
		rdn = rdn[i+1:]
	}
	return Str(unescapeDN(strings.TrimSpace(rdn))), nil
}

// splitDN splits a DN at the commas that are not escaped with a backslash.
func splitDN(dn string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(dn); i++ {
		switch dn[i] {
		case '\\':
			i++
		case ',', ';':
			parts = append(parts, dn[start:i])
			start = i + 1
		}
	}
	return append(parts, dn[start:])
}

// unescapeDN removes the backslash escapes of a DN value, including the
// two-hex-digit form.
func unescapeDN(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b = append(b, s[i])
			continue
		}
		if i+2 < len(s) && isHexDigit(rune(s[i+1])) && isHexDigit(rune(s[i+2])) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(n))
			i += 2
			continue
		}
		b = append(b, s[i+1])
		i++
	}
	return string(b)
}

// evalError implements Error(message): evaluation stops with an error
// carrying the message, and the user fails with it. Only a branch that is
// chosen is evaluated, so IIF(IsPresent([a]), [a], Error("a is
// required")) fails only users without a.
func evalError(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	return Null(), fail(c, "%s: %w", v.String(), ErrCustom)
}

// evalSingle implements SingleAppRoleAssignment(appRoleAssignments). A
// directory has no app role assignments; applied to any attribute it
// gives its single value, and the first value when it has several (Entra
// leaves which one unspecified).
func evalSingle(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil || v.Kind() != KindList {
		return v, err
	}
	return Str(v.list[0]), nil
}

// evalIgnoreFlow implements IgnoreFlowIfNullOrEmpty(expression): when the
// value is null or empty the result is the ignore-flow value, which tells
// the mapping to leave the field untouched (not to clear it, not to apply
// its default); otherwise the value itself.
func evalIgnoreFlow(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	for _, s := range v.Strings() {
		if s != "" {
			return v, nil
		}
	}
	return Value{ignore: true}, nil
}
