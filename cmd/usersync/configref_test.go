package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var updateConfigDoc = flag.Bool("update-config-doc", false, "rewrite docs/configuration.md")

const configDocPath = "../../docs/configuration.md"

// envDocs describes every environment variable the code reads. A name the
// source reads that is missing here fails TestConfigurationReference, and
// so does one described here that the source no longer reads.
var envDocs = map[string]struct{ scope, text string }{
	"USERSYNC_DB":                    {"service", "The store when `--db` is not given: a SQLite path or a `postgres://` URL (default `./usersync.db`)."},
	"USERSYNC_SECRET_KEY":            {"service", "The secret key that seals bind passwords (base64 of 32 bytes). Takes precedence over the key file."},
	"USERSYNC_SECRET_KEY_FILE":       {"service", "The key file when `USERSYNC_SECRET_KEY` is not set (default `usersync.key` beside a SQLite store, `~/.config/usersync/usersync.key` for PostgreSQL; created with mode 0600 at first start)."},
	"USERSYNC_NEW_SECRET_KEY":        {"service", "`key rotate`: the new key, when `--new-key-file` is not given."},
	"USERSYNC_FORBID_INSECURE":       {"service", "`1` refuses to save, check or run a connection that sends its password in clear or skips certificate verification (as `--forbid-insecure`)."},
	"USERSYNC_ADMIN_PASSWORD":        {"service", "The first administrator's password when `serve` or `demo` creates it (otherwise generated and printed once)."},
	"USERSYNC_LOG_LEVEL":             {"service", "`debug`, `info`, `warn` (default) or `error`."},
	"USERSYNC_LOG_FORMAT":            {"service", "`json` for JSON lines on standard error; text otherwise."},
	"USERSYNC_DELETED_RETENTION":     {"service", "How long the last state of deleted users is kept for undo (a Go duration such as `720h`)."},
	"USERSYNC_CPUPROFILE":            {"service", "Write a CPU profile of the process to this file (for performance work)."},
	"USERSYNC_LDAP_DECODER":          {"service", "`go-ldap` reads searches with go-ldap's decoder instead of usersync's faster one (a fallback for diagnosis)."},
	"GOMEMLIMIT":                     {"service", "Go's soft memory limit; usersync sets one of its own when this is not set."},
	"GOGC":                           {"service", "Go's garbage-collection target; usersync uses 50 (the heap may grow by half of what is live) when this is not set."},
	"USERSYNC_EVENTS_RETENTION":      {"service", "How long the change feed keeps events (a Go duration such as `720h`, the default); a reader asking for older ones is told they were pruned."},
	"USERSYNC_WEBHOOK_LOOPBACK_HTTP": {"tests", "`1` lets webhook subscriptions use plain `http://` to a loopback address; only tests set it, since deliveries are signed but not encrypted."},
	"SSL_CERT_FILE":                  {"service", "Go's standard variable: a PEM bundle trusted instead of the system roots, for example for an Entra ID sign-in host or Graph URL of a private deployment."},
	"USERSYNC_MEMPROFILE":            {"service", "Write a heap profile of what a run allocated to this file (for performance work; the bench sets it)."},
	"ENTRA_BENCH_CPUPROFILE":         {"tests", "`go run ./bench -entra`: write a CPU profile of the harness's local Graph to this file."},
	"USERSYNC_INTEGRATION":           {"tests", "`1` makes tests fail, not skip, when a real server they need (slapd, Samba, PostgreSQL, Chromium, systemd-analyze) is missing. CI sets it."},
	"USERSYNC_PG_BIN":                {"tests", "The directory of PostgreSQL's server binaries for the tests (default the newest `/usr/lib/postgresql/*/bin`)."},
	"USERSYNC_SAMBA_ONLINE_TEMPLATE": {"tests", "Samba test harness: where to keep a provisioned domain template between runs."},
}

// fieldNotes describe connection fields whose Go declaration carries no
// doc comment, by type and JSON name. A note for a field that no longer
// exists fails the test.
var fieldNotes = map[string]string{
	"Connection.name":                  "Stable slug naming the connection: lower-case letters, digits, `-` and `_`.",
	"Connection.friendlyName":          "The name shown to people; plain text of at most 256 bytes.",
	"Connection.directoryType":         "`source` (users come from it), `relyingParty` (usersync links its entries and writes back) or `target` (usersync pushes its users to it over SCIM).",
	"Connection.systemType":            "The kind of system: `ldap` (OpenLDAP, Active Directory), `entra` (Microsoft Entra ID, read through Microsoft Graph) or `scim` (a source whose client pushes to usersync's SCIM endpoint; a `target` usersync pushes to).",
	"Connection.dnsName":               "Host name or IP address of the directory server.",
	"Connection.port":                  "TCP port (389 for `none` and `startTls`, 636 for `ldaps`).",
	"Connection.security":              "`none`, `ldaps` or `startTls`.",
	"Connection.caCertificate":         "PEM certificate(s) to verify the server against instead of the system roots.",
	"Connection.tlsSkipVerify":         "Skip certificate verification (insecure: warned about, refused with `--forbid-insecure`).",
	"Connection.username":              "Bind DN or user principal of the account usersync binds as.",
	"Connection.password":              "The bind password: write-only, sealed with the secret key before it is stored, never returned.",
	"Connection.searchPath":            "Base DN of the search for users.",
	"Connection.searchFilter":          "LDAP filter selecting the users under `searchPath`.",
	"Connection.linkingKey":            "The attribute that links an app user to its entry (default `entryUUID` on OpenLDAP, `objectGUID` on Active Directory, `userPrincipalName` for a relying party).",
	"Connection.ruleCriteriaAttribute": "The attribute a relying party's rule criteria read (such as `memberOf`).",
	"Connection.configureTwo":          "A relying party's Advanced UPN Sync Settings as JSON (`connection configure-two`).",
	"Connection.timeZone":              "IANA time zone the `schedule` is read in (default UTC).",
	"Connection.minInterval":           "The least time between two scheduled runs (a Go duration, at least `--min-interval-floor`).",
	"Connection.live":                  "Live mode: while `serve` runs, apply the directory's changes as they happen rather than only on the schedule.",
	"DeletionGuard.disabled":           "Turn the deletion guard off.",
	"DeletionGuard.maxCount":           "Hold a run that would deactivate or delete more than this many users (default 500).",
	"DeletionGuard.maxPercent":         "… or more than `minCount` users that are also more than this percentage of the active ones (default 20).",
	"DeletionGuard.minCount":           "The count below which the percentage never holds a run (default 5).",
}

// TestConfigurationReference keeps docs/configuration.md equal to what the
// code generates; `go generate ./cmd/usersync` (or this test with
// -update-config-doc) rewrites it.
func TestConfigurationReference(t *testing.T) {
	want := configReference(t)
	if *updateConfigDoc {
		if err := os.WriteFile(configDocPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(configDocPath)
	if err != nil {
		t.Fatalf("%v (run go generate ./cmd/usersync)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/configuration.md is out of date: run go generate ./cmd/usersync")
	}
}

func configReference(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("<!-- Generated by `go generate ./cmd/usersync` from the code: do not edit. -->\n")
	b.WriteString("# Configuration reference\n\n")
	b.WriteString("Every environment variable, command-line flag and connection field of usersync, generated from the code ")
	b.WriteString("(the commands' flag sets, the environment variables the source reads, and the connection types with their doc comments). ")
	b.WriteString("A test fails when this page no longer matches.\n\n")
	writeEnvSection(t, &b)
	writeFlagSection(t, &b)
	writeFieldSection(t, &b)
	return b.String()
}

// sourceEnvNames finds the environment variables the module's non-test
// code names: USERSYNC_* string literals, and the literal argument of any
// os.Getenv or os.LookupEnv call.
func sourceEnvNames(t *testing.T) map[string]string {
	t.Helper()
	names := map[string]string{}
	re := regexp.MustCompile(`^USERSYNC_[A-Z0-9_]+$`)
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BasicLit:
				if x.Kind == token.STRING {
					if s, err := strconv.Unquote(x.Value); err == nil && re.MatchString(s) {
						names[s] = filepath.ToSlash(rel)
					}
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Getenv" || sel.Sel.Name == "LookupEnv") && len(x.Args) == 1 {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" {
						if lit, ok := x.Args[0].(*ast.BasicLit); ok {
							if s, err := strconv.Unquote(lit.Value); err == nil {
								names[s] = filepath.ToSlash(rel)
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func writeEnvSection(t *testing.T, b *strings.Builder) {
	t.Helper()
	found := sourceEnvNames(t)
	for name, where := range found {
		if _, ok := envDocs[name]; !ok {
			t.Errorf("%s (read in %s) is not described in envDocs", name, where)
		}
	}
	for name := range envDocs {
		if _, ok := found[name]; !ok {
			t.Errorf("envDocs describes %s, which no code reads any more", name)
		}
	}
	for _, scope := range []struct{ key, title string }{{"service", "Environment variables"}, {"tests", "Environment variables of the tests"}} {
		fmt.Fprintf(b, "## %s\n\n| variable | meaning |\n|---|---|\n", scope.title)
		names := make([]string, 0, len(envDocs))
		for n, d := range envDocs {
			if d.scope == scope.key {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(b, "| `%s` | %s |\n", n, envDocs[n].text)
		}
		b.WriteString("\n")
	}
}

// flagDoc is one flag as a command's usage prints it.
type flagDoc struct{ name, typ, usage string }

// commandFlags runs `usersync CMD -h` in-process and reads the flags from
// the usage it prints. A command made of subcommands answers with their
// names, which are then asked in turn.
func commandFlags(t *testing.T, args ...string) map[string][]flagDoc {
	t.Helper()
	var out, errb bytes.Buffer
	run(context.Background(), append(append([]string(nil), args...), "-h"), strings.NewReader(""), &out, &errb)
	text := errb.String() + out.String()
	key := strings.Join(args, " ")
	if strings.Contains(text, "Usage of ") {
		return map[string][]flagDoc{key: parseUsage(text)}
	}
	var subs []string
	if m := regexp.MustCompile(`\(want ([a-z0-9-]+(?:, [a-z0-9-]+)*)\)`).FindStringSubmatch(text); m != nil {
		subs = strings.Split(m[1], ", ")
	} else if len(args) == 1 {
		subs = summaryVerbs(args[0])
	}
	if len(subs) == 0 || len(args) > 3 {
		t.Errorf("usersync %s -h printed neither flags nor subcommands: %q", key, text)
		return nil
	}
	all := map[string][]flagDoc{}
	for _, sub := range subs {
		for k, v := range commandFlags(t, append(append([]string(nil), args...), sub)...) {
			all[k] = v
		}
	}
	return all
}

// summaryVerbs reads a command's subcommands from its summary, such as
// "add NAME | list | remove NAME", for commands that do not list them
// when asked for help.
func summaryVerbs(name string) []string {
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		var out []string
		for _, part := range strings.Split(c.summary, "|") {
			if m := regexp.MustCompile(`^\s*([a-z][a-z-]*)\b`).FindStringSubmatch(part); m != nil {
				out = append(out, m[1])
			}
		}
		return out
	}
	return nil
}

func parseUsage(text string) []flagDoc {
	var out []flagDoc
	lines := strings.Split(text, "\n")
	head := regexp.MustCompile(`^  -([a-zA-Z0-9-]+)(?: (.+))?$`)
	for i := 0; i < len(lines); i++ {
		m := head.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		f := flagDoc{name: m[1], typ: m[2]}
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    \t") {
			i++
			f.usage = strings.TrimSpace(f.usage + " " + strings.TrimSpace(lines[i]))
		}
		out = append(out, f)
	}
	return out
}

func writeFlagSection(t *testing.T, b *strings.Builder) {
	t.Helper()
	all := map[string][]flagDoc{}
	for _, c := range commands() {
		for k, v := range commandFlags(t, c.name) {
			all[k] = v
		}
	}
	common := map[string]bool{"db": true, "forbid-insecure": true, "min-interval-floor": true}
	b.WriteString("## Command-line flags\n\nEvery command takes these:\n\n| flag | meaning |\n|---|---|\n")
	for _, f := range all["sync"] {
		if common[f.name] {
			fmt.Fprintf(b, "| `%s%s` | %s |\n", flagName(f.name), typeSuffix(f.typ), escapeCell(f.usage))
		}
	}
	b.WriteString("\n")
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var own []flagDoc
		for _, f := range all[k] {
			if !common[f.name] {
				own = append(own, f)
			}
		}
		fmt.Fprintf(b, "### `usersync %s`\n\n", k)
		if len(own) == 0 {
			b.WriteString("No flags of its own.\n\n")
			continue
		}
		b.WriteString("| flag | meaning |\n|---|---|\n")
		for _, f := range own {
			fmt.Fprintf(b, "| `%s%s` | %s |\n", flagName(f.name), typeSuffix(f.typ), escapeCell(f.usage))
		}
		b.WriteString("\n")
	}
}

func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func typeSuffix(typ string) string {
	if typ == "" {
		return ""
	}
	return " " + strings.ToUpper(typ)
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// structDocs are the struct types of the packages a connection document is
// made of, with each field's JSON name, type and doc comment.
type structDocs map[string]*ast.StructType

func parseStructs(t *testing.T, pkgDirs map[string]string) structDocs {
	t.Helper()
	out := structDocs{}
	for pkg, dir := range pkgDirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range matches {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.TYPE {
					continue
				}
				for _, s := range g.Specs {
					ts := s.(*ast.TypeSpec)
					if st, ok := ts.Type.(*ast.StructType); ok && ts.Name.IsExported() {
						out[pkg+"."+ts.Name.Name] = st
					}
				}
			}
		}
	}
	return out
}

// typeName renders a field's type, and the struct it refers to when that
// struct is one of structs.
func typeName(pkg string, e ast.Expr, structs structDocs) (string, string) {
	switch x := e.(type) {
	case *ast.Ident:
		if _, ok := structs[pkg+"."+x.Name]; ok {
			return "object", pkg + "." + x.Name
		}
		switch x.Name {
		case "int", "int64", "float64":
			return "number", ""
		case "bool":
			return "boolean", ""
		}
		return x.Name, ""
	case *ast.StarExpr:
		return typeName(pkg, x.X, structs)
	case *ast.ArrayType:
		n, ref := typeName(pkg, x.Elt, structs)
		return "array of " + n, ref
	case *ast.MapType:
		n, ref := typeName(pkg, x.Value, structs)
		return "map of " + n, ref
	case *ast.SelectorExpr:
		p := x.X.(*ast.Ident).Name
		if _, ok := structs[p+"."+x.Sel.Name]; ok {
			return "object", p + "." + x.Sel.Name
		}
		return p + "." + x.Sel.Name, ""
	}
	return "value", ""
}

func writeFieldSection(t *testing.T, b *strings.Builder) {
	t.Helper()
	structs := parseStructs(t, map[string]string{
		"connection": filepath.Join("..", "..", "internal", "connection"),
		"mapping":    filepath.Join("..", "..", "internal", "mapping"),
	})
	b.WriteString("## Connection fields\n\n")
	b.WriteString("The fields of a connection document (`connection apply -f FILE`, `PUT /api/v1/connections/NAME`), from the `connection.Connection` type and the types it holds. ")
	b.WriteString("Fields marked read-only are filled when a document is read back and ignored when one is written.\n\n")
	usedNotes := map[string]bool{}
	defer func() {
		for k := range fieldNotes {
			if !usedNotes[k] {
				t.Errorf("fieldNotes describes %s, which no longer exists", k)
			}
		}
	}()
	queue := []string{"connection.Connection"}
	seen := map[string]bool{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		st := structs[name]
		pkg := strings.SplitN(name, ".", 2)[0]
		fmt.Fprintf(b, "### %s\n\n| field | type | meaning |\n|---|---|---|\n", strings.SplitN(name, ".", 2)[1])
		for _, f := range st.Fields.List {
			if len(f.Names) == 0 || !f.Names[0].IsExported() || f.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(f.Tag.Value)
			jsonName := strings.Split(reflect.StructTag(tag).Get("json"), ",")[0]
			if jsonName == "" || jsonName == "-" {
				continue
			}
			typ, ref := typeName(pkg, f.Type, structs)
			if ref != "" {
				queue = append(queue, ref)
				typ = fmt.Sprintf("%s (%s)", typ, strings.SplitN(ref, ".", 2)[1])
			}
			doc := strings.Join(strings.Fields(f.Doc.Text()), " ")
			if doc == "" && f.Comment != nil {
				doc = strings.Join(strings.Fields(f.Comment.Text()), " ")
			}
			short := strings.SplitN(name, ".", 2)[1] + "." + jsonName
			if note, ok := fieldNotes[short]; ok {
				usedNotes[short] = true
				if doc == "" {
					doc = note
				}
			}
			if doc == "" {
				doc = "—"
			}
			for _, n := range f.Names {
				jn := jsonName
				if len(f.Names) > 1 {
					jn = strings.Split(reflect.StructTag(tag).Get("json"), ",")[0]
				}
				_ = n
				fmt.Fprintf(b, "| `%s` | %s | %s |\n", jn, typ, escapeCell(doc))
			}
		}
		b.WriteString("\n")
	}
}

// TestOperationsDocListsMetrics: every metric /metrics serves is described
// in docs/operations.md.
func TestOperationsDocListsMetrics(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "ops", "metrics.go"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`"(usersync_[a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(names) == 0 {
		t.Fatal("found no metric names in internal/ops/metrics.go")
	}
	for _, m := range names {
		if !strings.Contains(string(doc), "`"+m[1]+"`") {
			t.Errorf("docs/operations.md does not describe the metric %s", m[1])
		}
	}
}
