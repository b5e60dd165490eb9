package expr

import (
	"fmt"
	"strings"
)

// dtToken is one element of a .NET custom date and time format: a specifier
// letter repeated n times, or literal text when spec is 0.
type dtToken struct {
	spec byte
	n    int
	lit  string
}

// standardFormats expands the .NET standard format strings that do not
// depend on a culture other than the invariant one.
var standardFormats = map[string]string{
	"d": "MM/dd/yyyy",
	"D": "dddd, dd MMMM yyyy",
	"f": "dddd, dd MMMM yyyy HH:mm",
	"F": "dddd, dd MMMM yyyy HH:mm:ss",
	"g": "MM/dd/yyyy HH:mm",
	"G": "MM/dd/yyyy HH:mm:ss",
	"m": "MMMM dd", "M": "MMMM dd",
	"o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
	"r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
	"s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
	"t": "HH:mm",
	"T": "HH:mm:ss",
	"u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
	"y": "yyyy MMMM", "Y": "yyyy MMMM",
}

// isSpec reports whether c is a .NET custom format specifier letter.
func isSpec(c byte) bool {
	return strings.IndexByte("yMdhHmsfFtzKg", c) >= 0
}

// parseDotNetFormat splits a .NET date and time format string into tokens.
// A single character is a standard format; anything else is a custom
// format in which unknown characters are literals.
func parseDotNetFormat(format string) ([]dtToken, error) {
	if format == "" {
		return nil, fmt.Errorf("empty date format")
	}
	if len(format) == 1 {
		std, ok := standardFormats[format]
		if !ok {
			return nil, fmt.Errorf("unknown standard date format %q", format)
		}
		format = std
	}
	var toks []dtToken
	addLit := func(s string) {
		if n := len(toks); n > 0 && toks[n-1].spec == 0 {
			toks[n-1].lit += s
			return
		}
		toks = append(toks, dtToken{lit: s})
	}
	for i := 0; i < len(format); {
		c := format[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(format[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quoted text in date format %q", format)
			}
			addLit(format[i+1 : i+1+end])
			i += end + 2
		case c == '\\':
			if i+1 >= len(format) {
				return nil, fmt.Errorf("date format %q ends with a backslash", format)
			}
			addLit(format[i+1 : i+2])
			i += 2
		case c == '%':
			if i+1 >= len(format) || !isSpec(format[i+1]) {
				return nil, fmt.Errorf("%%-sign in date format %q must precede a format specifier", format)
			}
			i++
		case isSpec(c):
			j := i
			for j < len(format) && format[j] == c {
				j++
			}
			n := j - i
			if (c == 'f' || c == 'F') && n > 7 {
				return nil, fmt.Errorf("date format %q has more than 7 %c specifiers", format, c)
			}
			toks = append(toks, dtToken{spec: c, n: n})
			i = j
		default:
			addLit(format[i : i+1])
			i++
		}
	}
	return toks, nil
}
