package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/usersync/usersync/"

// importRule forbids packages matching from to depend on packages matching
// any of forbidden. A pattern ending in "/..." matches the package and
// everything under it. Direct rules look at a package's own imports only;
// the others at everything it depends on.
type importRule struct {
	from      string
	forbidden []string
	direct    bool
	why       string
}

var importRules = []importRule{
	{
		from:      "internal/directory/...",
		forbidden: []string{"internal/connection/...", "internal/mapping/...", "internal/upn/..."},
		why:       "a directory driver takes its own configuration and knows nothing of mappings, scope or UPN rules",
	},
	{
		from:      "internal/web/...",
		forbidden: []string{"internal/directory/ldap/..."},
		direct:    true,
		why:       "the web layer reaches directories through app and classifies their failures with directory.Problem",
	},
	{
		from:      "internal/web/...",
		forbidden: []string{"internal/store/sqlite/...", "internal/store/postgres/..."},
		why:       "the web layer writes through app and depends on the store interface only; cmd/usersync picks the implementation",
	},
	{
		from:      "internal/app",
		forbidden: []string{"internal/store/sqlite/...", "internal/store/postgres/..."},
		why:       "app depends on the store interface; cmd/usersync picks the implementation",
	},
}

// domain are the packages below app: they know nothing of the operations
// that compose them, nor of the ways in (CLI, web, scheduler, live mode).
var domain = []string{
	"internal/connection/...", "internal/directory/...", "internal/mapping/...", "internal/reconcile/...",
	"internal/grouprules/...", "internal/writeback/...", "internal/upn/...", "internal/store/...",
}

func init() {
	for _, d := range domain {
		importRules = append(importRules, importRule{
			from:      d,
			forbidden: []string{"internal/app/...", "internal/web/...", "internal/schedule", "internal/live/...", "cmd/..."},
			why:       "the flow runs one way: app composes the domain packages, which never call back up",
		})
	}
}

// TestImportRules holds the package layering with `go list`, so that a new
// import that breaks it fails here rather than in review.
func TestImportRules(t *testing.T) {
	imports, deps := listPackages(t)
	for _, r := range importRules {
		t.Run(r.from, func(t *testing.T) {
			graph := deps
			if r.direct {
				graph = imports
			}
			found := false
			for pkg, ds := range graph {
				if !matches(r.from, pkg) {
					continue
				}
				found = true
				for _, d := range ds {
					for _, f := range r.forbidden {
						if matches(f, d) {
							t.Errorf("%s imports %s: %s", pkg, d, r.why)
						}
					}
				}
			}
			if !found {
				t.Fatalf("%s matched no package", r.from)
			}
		})
	}
}

func TestImportRuleMatches(t *testing.T) {
	tests := []struct {
		pattern, pkg string
		want         bool
	}{
		{"internal/upn/...", module + "internal/upn", true},
		{"internal/upn/...", module + "internal/upn/sub", true},
		{"internal/upn/...", module + "internal/upnx", false},
		{"internal/app", module + "internal/app", true},
		{"internal/app", module + "internal/app/sub", false},
		{"internal/app", "example.com/internal/app", false},
	}
	for _, tt := range tests {
		if got := matches(tt.pattern, tt.pkg); got != tt.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tt.pattern, tt.pkg, got, tt.want)
		}
	}
}

func matches(pattern, pkg string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == module+prefix || strings.HasPrefix(pkg, module+prefix+"/")
	}
	return pkg == module+pattern
}

// listPackages maps each package of the module to its own imports and to
// all its dependencies, with one `go list`.
func listPackages(t *testing.T) (imports, deps map[string][]string) {
	t.Helper()
	const format = `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`
	out, err := exec.Command("go", "list", "-f", format, "../../...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v: %s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	imports, deps = map[string][]string{}, map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			t.Fatalf("go list printed %q", line)
		}
		imports[parts[0]] = strings.Fields(parts[1])
		deps[parts[0]] = strings.Fields(parts[2])
	}
	return imports, deps
}
