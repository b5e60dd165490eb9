package expr

import (
	"strings"
	"unicode"
)

// diacriticTable lists, for each replacement, the precomposed characters
// Entra's NormalizeDiacritics documents as mapping to it. Sequences of a
// letter and combining marks (such as "a̱") are handled by dropping the
// marks.
var diacriticTable = []struct{ from, to string }{
	{"äàâãåáąăāǟǡ", "a"}, {"ÄÀÂÃÅÁĄĂĀǞǠ", "A"},
	{"æǣ", "ae"}, {"ÆǢ", "AE"},
	{"çčć", "c"}, {"ÇČĆ", "C"},
	{"ďḏ", "d"}, {"ĎḎ", "D"},
	{"ëèéêęěėēḗḕ", "e"}, {"ËÈÉÊĘĚĖĒḖḔ", "E"},
	{"ğḡ", "g"}, {"ĞḠ", "G"},
	{"ïîìíıī", "i"}, {"ÏÎÌÍİĪ", "I"},
	{"ľłḹḻ", "l"}, {"ŁĽḸḺ", "L"},
	{"ñńňṉ", "n"}, {"ÑŃŇṈ", "N"},
	{"öòőõôóōṓṑȫǭȭȱ", "o"}, {"ÖÒŐÕÔÓŌṒṐȪǬȬȰ", "O"},
	{"øœ", "oe"}, {"ØŒ", "OE"},
	{"řṟṝ", "r"}, {"ŘṞṜ", "R"},
	{"ß", "ss"},
	{"šśșş", "s"}, {"ŠŚȘŞ", "S"},
	{"ťțṯ", "t"}, {"ŤȚṮ", "T"},
	{"üùûúůűūǖṻṳ", "u"}, {"ÜÙÛÚŮŰŪǕṺṲ", "U"},
	{"ÿýȳ", "y"}, {"ŸÝȲ", "Y"},
	{"źžżẕ", "z"}, {"ŹŽŻẔ", "Z"},
}

var diacritics = func() map[rune]string {
	m := map[rune]string{}
	for _, row := range diacriticTable {
		for _, r := range row.from {
			m[r] = row.to
		}
	}
	return m
}()

// NormalizeDiacritics replaces the accented Latin characters listed in
// Entra's NormalizeDiacritics documentation with their unaccented
// equivalents ("Zoë" becomes "Zoe", "ß" becomes "ss", "ø" becomes "oe") and
// drops combining diacritical marks (U+0300 to U+036F) that follow a
// character. Other characters are kept.
func NormalizeDiacritics(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if rep, ok := diacritics[r]; ok {
			b.WriteString(rep)
			continue
		}
		if r >= 0x300 && r <= 0x36f && b.Len() > 0 && unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
