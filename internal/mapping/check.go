package mapping

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// defaultType is the type a mapping to target gets when it names none.
func defaultType(target string) FieldType {
	switch target {
	case FieldEmail:
		return TypeEmail
	case "telephoneNumber", "mobile", "fax", FieldMobileTwinningNumber, FieldExtension:
		return TypePhone
	case "language", "culture":
		return TypeLanguage
	case "timeZone":
		return TypeTimeZone
	}
	return TypeText
}

func knownType(t FieldType) bool {
	switch t {
	case "", TypeText, TypeEmail, TypePhone, TypeLanguage, TypeTimeZone:
		return true
	}
	return false
}

// zones caches time.LoadLocation, which reads the zone database: a run
// checks the same few zones for every user.
var zones sync.Map // string → bool

// checkValue returns why v is not a valid t, or "".
func checkValue(t FieldType, v string) string {
	switch t {
	case TypeEmail:
		if !isEmail(v) {
			return fmt.Sprintf("%q is not an email address", v)
		}
	case TypePhone:
		if !isPhone(v) {
			return fmt.Sprintf("%q is not a telephone number", v)
		}
	case TypeLanguage:
		if !isLanguageTag(v) {
			return fmt.Sprintf("%q is not a language tag such as en-US", v)
		}
	case TypeTimeZone:
		ok, seen := zones.Load(v)
		if !seen {
			_, err := time.LoadLocation(v)
			ok = err == nil && !strings.EqualFold(v, "local")
			zones.Store(v, ok)
		}
		if !ok.(bool) {
			return fmt.Sprintf("%q is not an IANA time zone", v)
		}
	}
	return ""
}

// isEmail accepts local@domain with a dotted domain and no spaces: the
// shape every mail system agrees on, checked without allocating.
func isEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;\"") || strings.Count(s, "@") != 1 {
		return false
	}
	domain := s[at+1:]
	dot := strings.IndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..")
}

// isPhone accepts an optional leading +, digits and the usual separators,
// with at least two digits.
func isPhone(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0:
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return false
		}
	}
	return digits >= 2
}

// isLanguageTag accepts the BCP 47 shape: a 2-3 letter language (or 4-8
// letters) followed by subtags of 1-8 letters or digits, separated by "-"
// (or "_", as directories often write en_US).
func isLanguageTag(s string) bool {
	if s == "" {
		return false
	}
	for i, sub := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' }) {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j] | 0x20
			letter := c >= 'a' && c <= 'z'
			digit := sub[j] >= '0' && sub[j] <= '9'
			if !letter && !(digit && i > 0) {
				return false
			}
		}
		if i == 0 && len(sub) < 2 {
			return false
		}
	}
	return !strings.HasPrefix(s, "-") && !strings.HasSuffix(s, "-") && !strings.Contains(s, "--")
}
