package expr

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Example is one documented use of a function: an expression, the
// attributes it reads and what it gives. Every example is also a test.
type Example struct {
	Expr  string
	Attrs Map
	// Taken lists the values SelectUniqueValue finds already held.
	Taken []string
	// Want is the result as text; Match, when set instead, is a regular
	// expression the result must match (for Guid, Now, RandomString);
	// Err, when set instead, is a part of the expected error.
	Want, Match, Err string
	// List says the result is a list, printed as its values joined with "|".
	List bool
	// Ignore says the result leaves the field out of the flow.
	Ignore bool
}

// FunctionDoc describes a function for the expression reference.
type FunctionDoc struct {
	Name     string
	Params   string
	Returns  string
	Summary  string
	Examples []Example
	// Differs, when set, says where usersync departs from Microsoft's
	// documentation and why.
	Differs string
}

// Reference returns the documentation of every function, in alphabetical
// order. Its examples are checked by the package's tests and
// docs/expressions.md is generated from it.
func Reference() []FunctionDoc {
	var out []FunctionDoc
	for _, fn := range functionList {
		d := functionDocs[fn.name]
		d.Name = fn.name
		if d.Params == "" {
			d.Params = strings.Join(trimOptional(fn.params), ", ")
			if fn.variadic {
				d.Params += ", …"
			}
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

func trimOptional(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		if strings.HasPrefix(p, "?") {
			out[i] = "[" + p[1:] + "]"
		} else {
			out[i] = p
		}
	}
	return out
}

// ReferenceMarkdown renders Reference as the page docs/expressions.md.
func ReferenceMarkdown() string {
	var b strings.Builder
	b.WriteString("# Expression reference\n\n")
	b.WriteString("<!-- Generated from internal/mapping/expr/reference_docs.go by\n")
	b.WriteString("     `go test ./internal/mapping/expr -run TestReferenceDoc -update`. Do not edit. -->\n\n")
	b.WriteString(referenceIntro)
	b.WriteString("\n## Functions\n\n")
	for _, d := range Reference() {
		fmt.Fprintf(&b, "### %s\n\n`%s(%s)` → %s\n\n%s\n\n", d.Name, d.Name, d.Params, d.Returns, d.Summary)
		if d.Differs != "" {
			fmt.Fprintf(&b, "*usersync:* %s\n\n", d.Differs)
		}
		for _, ex := range d.Examples {
			fmt.Fprintf(&b, "- `%s`", ex.Expr)
			if len(ex.Attrs) > 0 {
				keys := make([]string, 0, len(ex.Attrs))
				for k := range ex.Attrs {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				var parts []string
				for _, k := range keys {
					parts = append(parts, fmt.Sprintf("%s = %s", k, quoteList(ex.Attrs[k])))
				}
				fmt.Fprintf(&b, " with %s", strings.Join(parts, ", "))
			}
			if len(ex.Taken) > 0 {
				fmt.Fprintf(&b, " when %s is already held", strings.Join(ex.Taken, " and "))
			}
			switch {
			case ex.Ignore:
				b.WriteString(" leaves the field untouched\n")
			case ex.Err != "":
				fmt.Fprintf(&b, " fails: %s\n", ex.Err)
			case ex.Match != "":
				fmt.Fprintf(&b, " gives a value matching `%s`\n", ex.Match)
			case ex.List:
				fmt.Fprintf(&b, " gives the values %s\n", quoteList(strings.Split(ex.Want, "|")))
			default:
				fmt.Fprintf(&b, " gives %s\n", quote(ex.Want))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(referenceNotes)
	return b.String()
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quote(v)
		if !printable(v) {
			q[i] = strconv.Quote(v)
		}
	}
	if len(q) == 1 {
		return q[0]
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// printable reports whether s can be shown as it is: valid UTF-8 without
// control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
