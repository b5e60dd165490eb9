package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.json in step with the route
// table: every API route is documented, and nothing else is.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	body := c.get("/api/openapi.json", http.StatusOK)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	var missing []string
	for _, rt := range e.web.routes {
		if !strings.HasPrefix(rt.path, "/api/") {
			continue
		}
		k := rt.method + " " + rt.path
		if !documented[k] {
			missing = append(missing, k)
		}
		delete(documented, k)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("undocumented routes: %v", missing)
	}
	for k := range documented {
		t.Errorf("documented but not served: %s", k)
	}
}
