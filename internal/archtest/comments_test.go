package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// citation matches a reference a reader of the repository cannot follow:
// the design document, a seed, an invariant or an issue by number. An
// invariant is named instead (docs/invariants.md), and a seed or an issue
// is replaced by the rule it states.
var citation = regexp.MustCompile(`DESIGN\.md|\b[Ss]eeds? ?#?[0-9]+|\b[Ii]nvariants? ?#?[0-9]+|\b[Ii]ssues? ?#?[0-9]+`)

// exempt lists what may cite seeds: the acceptance tests map each seed
// sentence to a test, and so does the conformance document.
func exempt(rel string) bool {
	return rel == "acceptance" || strings.HasPrefix(rel, "acceptance/") ||
		rel == ".git" || rel == "docs/seed-conformance.md"
}

// repoRoot is the module root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

// TestCommentsStandAlone: no Go comment outside the acceptance tests cites
// the design document, a seed, an invariant or an issue by number, and
// neither do the program's strings, templates, scripts and SQL migrations,
// whose text users and operators read.
func TestCommentsStandAlone(t *testing.T) {
	root := repoRoot(t)
	var bad []string
	report := func(rel string, line int, text string) {
		bad = append(bad, rel+":"+strconv.Itoa(line)+": "+strings.TrimSpace(text))
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if exempt(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch filepath.Ext(path) {
		case ".go":
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			for _, cg := range f.Comments {
				// A citation may be wrapped ("seed" at the end of one line,
				// the number on the next), so match the comment as one text.
				text := strings.Join(strings.Fields(cg.Text()), " ")
				for _, m := range citation.FindAllString(text, -1) {
					report(rel, fset.Position(cg.Pos()).Line, m)
				}
			}
			if strings.HasSuffix(path, "_test.go") {
				return nil
			}
			// Strings in the program reach users: messages, hints, help.
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && citation.MatchString(lit.Value) {
					report(rel, fset.Position(lit.Pos()).Line, lit.Value)
				}
				return true
			})
		case ".html", ".js", ".css", ".sql":
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				if citation.MatchString(line) {
					report(rel, i+1, line)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
	if len(bad) > 0 {
		t.Errorf("%d lines cite a document or number that is not in the repository; state the rule itself, or name the invariant as docs/invariants.md does", len(bad))
	}
}

// TestCitationPattern holds what the check catches and what it lets
// through.
func TestCitationPattern(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"escaped once (DESIGN.md invariant 6).", true},
		{"as seed 004 says", true},
		{"seed003 is the table", true},
		{"Seed 000: only when the", true},
		{"issue 5's acceptance 1-6", true},
		{"covers invariant 1 on the fast path", true},
		{"invariants 1 and 3", true},
		{"see issue #12", true},
		{"TestSeed004Table encodes the table", false},
		{"the deletion guard (see docs/invariants.md)", false},
		{"seedExample1 is the first example", false},
		{"values escaped per RFC 4515", false},
		{"an issuer 2 levels up", false},
	}
	for _, tt := range tests {
		if got := citation.MatchString(tt.text); got != tt.want {
			t.Errorf("citation.MatchString(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
