package expr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func init() {
	register(
		&function{name: "Append", params: []string{"source", "suffix"}, eval: evalAppend},
		&function{name: "Join", params: []string{"separator", "source"}, variadic: true, eval: evalJoin},
		&function{name: "ToLower", params: []string{"source", "?culture"}, eval: evalChangeCase(false)},
		&function{name: "ToUpper", params: []string{"source", "?culture"}, eval: evalChangeCase(true)},
		&function{name: "Left", params: []string{"string", "numChars"}, eval: evalLeft},
		&function{name: "Mid", params: []string{"source", "start", "?length"}, eval: evalMid},
		&function{name: "StripSpaces", params: []string{"source"}, eval: evalUnary(func(s string) string { return strings.ReplaceAll(s, " ", "") })},
		&function{name: "Trim", params: []string{"source"}, eval: evalUnary(strings.TrimSpace)},
		&function{name: "NormalizeDiacritics", params: []string{"source"}, eval: evalUnary(NormalizeDiacritics)},
		&function{name: "Word", params: []string{"string", "wordNumber", "delimiters"}, eval: evalWord},
		&function{name: "CStr", params: []string{"value"}, eval: evalCStr},
	)
}

// evalAppend implements Append(source, suffix). A null side counts as
// empty, so Append("Custom1=", [missing]) is "Custom1=", as Entra produces;
// only when both are null is the result null. A multi-valued source gets the
// suffix appended to each value.
func evalAppend(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	suffix, sufNull, err := scalar(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	if vals[0].IsNull() {
		if sufNull {
			return Null(), nil
		}
		return Str(suffix), nil
	}
	return mapStrings(vals[0], func(s string) string { return s + suffix }), nil
}

// evalJoin implements Join(separator, source1, source2, ...). Every value of
// a multi-valued source is joined; null sources and empty values are
// skipped, so that a missing or empty attribute does not leave a doubled
// separator: Join(", ", "", [surname], [givenName]) is "Doe, John". The
// result is null when every source is null.
func evalJoin(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	sep, _, err := scalar(c, 0, vals[0])
	if err != nil {
		return Null(), err
	}
	guarded := ev.guard != "" && sep == ev.guard
	var parts []string
	var from []node // the argument each part came from, when guarded
	present := false
	for i, v := range vals[1:] {
		if v.IsNull() {
			continue
		}
		present = true
		for _, s := range v.Strings() {
			if s == "" {
				continue
			}
			parts = append(parts, s)
			if guarded {
				from = append(from, c.args[i+1])
			}
		}
	}
	if !present {
		return Null(), nil
	}
	joined := strings.Join(parts, sep)
	if guarded {
		if err := checkParts(parts, from, joined, sep); err != nil {
			return Null(), err
		}
	}
	return Str(joined), nil
}

// evalChangeCase implements ToLower and ToUpper. Without a culture the
// conversion follows Unicode's invariant rules. A Turkish or Azerbaijani
// culture (tr, az, such as tr-TR) pairs dotted i with İ and dotless ı with
// I; other cultures convert as the invariant culture does. A culture that
// is not a name such as en-US is an error.
func evalChangeCase(upper bool) func(*evaluator, *callNode) (Value, error) {
	return func(ev *evaluator, c *callNode) (Value, error) {
		vals, err := ev.args(c)
		if err != nil {
			return Null(), err
		}
		special := unicode.SpecialCase(nil)
		if len(vals) > 1 {
			culture, _, err := scalar(c, 1, vals[1])
			if err != nil {
				return Null(), err
			}
			lang, ok := cultureLanguage(culture)
			if !ok {
				return Null(), fail(c, "argument 2 (culture) %s is not a culture name such as en-US or tr-TR", quote(culture))
			}
			if lang == "tr" || lang == "az" {
				special = unicode.TurkishCase
			}
		}
		f := strings.ToLower
		switch {
		case upper && special != nil:
			f = func(s string) string { return strings.ToUpperSpecial(special, s) }
		case upper:
			f = strings.ToUpper
		case special != nil:
			f = func(s string) string { return strings.ToLowerSpecial(special, s) }
		}
		return mapStrings(vals[0], f), nil
	}
}

// cultureLanguage returns the lower-case language of a culture name such as
// "tr-TR" or "en"; the empty name is the invariant culture.
func cultureLanguage(culture string) (string, bool) {
	culture = strings.TrimSpace(culture)
	if culture == "" {
		return "", true
	}
	lang, _, _ := strings.Cut(culture, "-")
	if len(lang) < 2 || len(lang) > 3 || len(culture) > 20 {
		return "", false
	}
	for _, r := range culture {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || isDigit(r)) {
			return "", false
		}
	}
	return strings.ToLower(lang), true
}

// evalUnary implements functions that transform each string of their only
// argument; null stays null.
func evalUnary(f func(string) string) func(*evaluator, *callNode) (Value, error) {
	return func(ev *evaluator, c *callNode) (Value, error) {
		v, err := ev.eval(c.args[0])
		if err != nil {
			return Null(), err
		}
		return mapStrings(v, f), nil
	}
}

// evalLeft implements Left(string, numChars) as Entra documents it: a null
// string gives "", numChars 0 gives "", a negative numChars gives the whole
// string, and so does a numChars beyond its length. Characters are Unicode
// code points.
func evalLeft(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	n, err := integer(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	if vals[0].IsNull() {
		return Str(""), nil
	}
	return mapStrings(vals[0], func(s string) string {
		if n < 0 {
			return s
		}
		return prefixRunes(s, n)
	}), nil
}

// evalMid implements Mid(source, start, length) with a 1-based start. A
// start below 1 counts from the first character; a start past the end or a
// length of 0 or less gives ""; a length running past the end stops at the
// end, and so does an omitted length, as in Mid(Item([proxyAddresses],
// 1), 6). A null source gives null.
func evalMid(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	start, err := integer(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	length := int64(1) << 62
	if len(vals) > 2 && !isOmitted(c.args[2]) {
		if length, err = integer(c, 2, vals[2]); err != nil {
			return Null(), err
		}
	}
	return mapStrings(vals[0], func(s string) string {
		if length <= 0 {
			return ""
		}
		rest := skipRunes(s, max(start, 1)-1)
		return prefixRunes(rest, length)
	}), nil
}

// prefixRunes returns the first n code points of s.
func prefixRunes(s string, n int64) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for count := int64(0); i < len(s) && count < n; count++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// skipRunes returns s without its first n code points.
func skipRunes(s string, n int64) string {
	i := 0
	for count := int64(0); i < len(s) && count < n; count++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[i:]
}

// evalWord implements Word(string, wordNumber, delimiters): words are the
// non-empty runs of characters between any of the delimiter characters, so
// consecutive delimiters do not make empty words. A wordNumber below 1, a
// null string or too few words give "".
func evalWord(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, vals[0])
	if err != nil {
		return Null(), err
	}
	n, err := integer(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	delims, _, err := scalar(c, 2, vals[2])
	if err != nil {
		return Null(), err
	}
	if null || n < 1 {
		return Str(""), nil
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	if int64(len(words)) < n {
		return Str(""), nil
	}
	return Str(words[n-1]), nil
}

// evalCStr implements CStr(value): booleans become "True" or "False",
// strings stay as they are and null stays null.
func evalCStr(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, v)
	if err != nil || null {
		return Null(), err
	}
	return Str(s), nil
}
