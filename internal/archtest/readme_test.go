package archtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEArchitectureListsEveryPackage: the README's architecture
// section lists every package of the module, one per line, and no package
// that does not exist, so that the list stays true as packages come and go.
func TestREADMEArchitectureListsEveryPackage(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := architectureList(t, string(b))

	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	actual := map[string]bool{}
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		actual[filepath.ToSlash(rel)] = true
	}
	for pkg := range actual {
		if !listed[pkg] {
			t.Errorf("package %s is missing from the README's architecture list", pkg)
		}
	}
	for pkg := range listed {
		if !actual[pkg] {
			t.Errorf("the README's architecture list names %s, which is not a package", pkg)
		}
	}
}

// architectureList returns the first word of each line of the last fenced
// block of the "## Architecture" section: the package paths.
func architectureList(t *testing.T, readme string) map[string]bool {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Architecture\n")
	if !ok {
		t.Fatal(`README.md has no "## Architecture" section`)
	}
	if next := strings.Index(section, "\n## "); next >= 0 {
		section = section[:next]
	}
	blocks := strings.Split(section, "```")
	if len(blocks) < 3 {
		t.Fatal("the architecture section has no fenced package list")
	}
	list := blocks[len(blocks)-2]
	pkgs := map[string]bool{}
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			pkgs[f[0]] = true
		}
	}
	return pkgs
}
