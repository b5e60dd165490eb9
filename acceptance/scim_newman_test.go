package acceptance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// microsoftCollection is Microsoft's SCIM test collection, vendored
// unchanged with its license (see testdata/scim/README.md).
var microsoftCollection = filepath.Join("testdata", "scim", "microsoft-scim-tests.postman_collection.json")

// notForAServiceProvider names the requests of Microsoft's collection that
// do not apply to a SCIM service provider, each with its reason. Nothing
// else may be left out.
var notForAServiceProvider = map[string]string{
	"Get Token/Get Token": "asks the reference code's own development token endpoint; a service provider issues tokens its own way (usersync: an administrator creates one per SCIM connection)",
}

// TestSCIMMicrosoftCollection runs Microsoft's SCIM test collection with
// newman against `usersync serve` and fails listing every request whose
// tests fail.
func TestSCIMMicrosoftCollection(t *testing.T) {
	newman := requireNewman(t)
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) { runMicrosoftCollection(t, newman, st.newAdmin(t)) })
	}
}

func runMicrosoftCollection(t *testing.T, newman string, a *admin) {
	// The collection deletes most of its users within seconds, as a test
	// tenant's clean-up does; the deletion guard would hold that burst for
	// approval (the replay vector entra-soft-delete-burst checks it), so
	// the connection runs without it here.
	a.scimConnection("entra", map[string]any{"deletionGuard": map[string]any{"disabled": true}})
	c := a.serve()
	token := c.scimToken("entra")
	u, err := url.Parse(c.base)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	collection := filepath.Join(dir, "collection.json")
	writeFilteredCollection(t, collection)
	env := map[string]any{
		"name": "usersync",
		"values": []map[string]any{
			{"key": "Protocol", "value": u.Scheme, "enabled": true},
			{"key": "Server", "value": u.Hostname(), "enabled": true},
			{"key": "Port", "value": ":" + u.Port(), "enabled": true},
			{"key": "Api", "value": "scim/v2/entra", "enabled": true},
			{"key": "token", "value": token, "enabled": true},
		},
	}
	envFile := filepath.Join(dir, "environment.json")
	writeJSONFile(t, envFile, env)
	report := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, newman, "run", collection, "-e", envFile, "--reporters", "cli,json",
		"--reporter-json-export", report, "--color", "off", "--disable-unicode", "--timeout-request", "30000")
	out, runErr := cmd.CombinedOutput()
	if testing.Verbose() {
		t.Logf("newman:\n%s", out)
	}
	failed := newmanFailures(t, report)
	for _, f := range failed {
		t.Errorf("Microsoft's SCIM test collection: %s", f)
	}
	if runErr != nil && len(failed) == 0 {
		t.Fatalf("newman failed without failing a request: %v\n%s", runErr, out)
	}
	if len(failed) > 0 {
		t.Logf("newman:\n%s", out)
	}
}

// requireNewman returns the newman runner (ci/install-newman.sh installs
// it), skipping the test without it unless USERSYNC_INTEGRATION=1.
func requireNewman(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("newman")
	if err == nil {
		return path
	}
	if os.Getenv("USERSYNC_INTEGRATION") == "1" {
		t.Fatalf("newman is not installed (ci/install-newman.sh installs it); USERSYNC_INTEGRATION=1 requires it")
	}
	t.Skip("newman is not installed (set USERSYNC_INTEGRATION=1 to make this a failure)")
	return ""
}

// writeFilteredCollection copies Microsoft's collection without the
// requests that do not apply, and fails when one of those names no longer
// names a request, so that the exclusions cannot outlive their reason.
func writeFilteredCollection(t *testing.T, to string) {
	t.Helper()
	raw, err := os.ReadFile(microsoftCollection)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var filter func(items []any, prefix string) []any
	filter = func(items []any, prefix string) []any {
		var kept []any
		for _, it := range items {
			m, _ := it.(map[string]any)
			name, _ := m["name"].(string)
			if sub, ok := m["item"].([]any); ok {
				// A folder left empty goes too: newman runs a folder
				// without items as a request.
				if m["item"] = filter(sub, prefix+name+"/"); len(m["item"].([]any)) > 0 {
					kept = append(kept, m)
				}
				continue
			}
			if _, skip := notForAServiceProvider[prefix+name]; skip {
				seen[prefix+name] = true
				continue
			}
			kept = append(kept, m)
		}
		return kept
	}
	items, _ := doc["item"].([]any)
	doc["item"] = filter(items, "")
	for name := range notForAServiceProvider {
		if !seen[name] {
			t.Errorf("the exclusion %q names no request of the collection", name)
		}
	}
	writeJSONFile(t, to, doc)
}

func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// newmanFailures reads newman's JSON report and returns one line per
// failed assertion or request error: the request, what failed, the status.
func newmanFailures(t *testing.T, report string) []string {
	t.Helper()
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("newman wrote no report: %v", err)
	}
	var rep struct {
		Run struct {
			Executions []struct {
				Item struct {
					Name string `json:"name"`
				} `json:"item"`
				Request struct {
					Method string `json:"method"`
				} `json:"request"`
				Response struct {
					Code int `json:"code"`
					// The body is a Node.js Buffer: its bytes as numbers.
					Stream struct {
						Data []int `json:"data"`
					} `json:"stream"`
				} `json:"response"`
				RequestError *struct {
					Message string `json:"message"`
				} `json:"requestError"`
				Assertions []struct {
					Assertion string `json:"assertion"`
					Error     *struct {
						Message string `json:"message"`
					} `json:"error"`
				} `json:"assertions"`
			} `json:"executions"`
			Stats struct {
				Requests struct {
					Total int `json:"total"`
				} `json:"requests"`
			} `json:"stats"`
		} `json:"run"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("newman report: %v", err)
	}
	if rep.Run.Stats.Requests.Total == 0 {
		t.Fatal("newman ran no request")
	}
	var out []string
	for _, e := range rep.Run.Executions {
		if e.RequestError != nil {
			out = append(out, fmt.Sprintf("%q (%s): request error: %s", e.Item.Name, e.Request.Method, e.RequestError.Message))
		}
		for _, as := range e.Assertions {
			if as.Error != nil {
				b := make([]byte, len(e.Response.Stream.Data))
				for i, c := range e.Response.Stream.Data {
					b[i] = byte(c)
				}
				body := string(b)
				if len(body) > 300 {
					body = body[:300] + "…"
				}
				out = append(out, fmt.Sprintf("%q (%s → %d): %s: %s; body: %s", e.Item.Name, e.Request.Method, e.Response.Code,
					as.Assertion, as.Error.Message, strings.TrimSpace(body)))
			}
		}
	}
	return out
}
