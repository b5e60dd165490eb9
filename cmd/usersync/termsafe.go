package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// termSafe returns s with every character that a terminal would act on
// instead of showing replaced by a visible escape: C0 and C1 control
// characters (escape sequences can clear the screen, retitle the window or
// write the clipboard with OSC 52), DEL, tabs and newlines (which would fake
// table cells and rows), Unicode format characters such as the bidi
// overrides (which reorder what is shown), and invalid UTF-8. Directory and
// API values reach the CLI's output unfiltered, so everything the CLI prints
// as text goes through here; JSON output is escaped by encoding/json instead.
func termSafe(s string) string {
	if isTermSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// isTermSafe is termSafe's fast path: most values are plain text.
func isTermSafe(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && unsafeRune(r)) {
			return false
		}
	}
	return true
}

// unsafeRune reports the non-ASCII runes a terminal acts on or that change
// how the surrounding text is displayed: C1 controls (U+0080–U+009F, which
// some terminals read as CSI and OSC), format characters (bidi overrides and
// isolates, zero-width joiners) and the line and paragraph separators.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// table prints aligned columns whose cells are made terminal-safe, so a
// value can neither inject escape sequences nor add cells or rows.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	fmt.Fprintln(t.tw, strings.Join(header, "\t"))
	return t
}

// row writes one row; each cell is formatted with fmt.Sprint and escaped.
func (t *table) row(cells ...any) {
	for i, c := range cells {
		if i > 0 {
			io.WriteString(t.tw, "\t")
		}
		io.WriteString(t.tw, termSafe(fmt.Sprint(c)))
	}
	io.WriteString(t.tw, "\n")
}

func (t *table) flush() error { return t.tw.Flush() }
