package scimtest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// TestDiscovery: ServiceProviderConfig, Schemas and ResourceTypes (RFC
// 7644 section 4), in application/scim+json.
func TestDiscovery(t *testing.T) {
	s := Start(t, "", Options{})
	cfg := s.Do("GET", "/ServiceProviderConfig", "")
	mustStatus(t, cfg, 200)
	if ct := cfg.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cfg.JSON["patch"].(map[string]any)["supported"] != true || cfg.JSON["filter"].(map[string]any)["supported"] != true ||
		cfg.JSON["bulk"].(map[string]any)["supported"] != false {
		t.Errorf("ServiceProviderConfig %s", cfg.Raw)
	}
	schemas := s.Do("GET", "/Schemas", "")
	if schemas.JSON["totalResults"] != float64(3) || !strings.Contains(string(schemas.Raw), "User Account") {
		t.Errorf("Schemas %s", schemas.Raw)
	}
	one := s.Do("GET", "/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "")
	mustStatus(t, one, 200)
	if one.JSON["name"] != "EnterpriseUser" {
		t.Errorf("enterprise schema %s", one.Raw)
	}
	rt := s.Do("GET", "/ResourceTypes", "")
	res := rt.JSON["Resources"].([]any)
	if len(res) != 2 || res[0].(map[string]any)["endpoint"] != "/Users" || res[1].(map[string]any)["endpoint"] != "/Groups" {
		t.Errorf("ResourceTypes %s", rt.Raw)
	}
	mustStatus(t, s.Do("GET", "/ResourceTypes/Group", ""), 200)
	scimError(t, s.Do("GET", "/Schemas/urn:nope", ""), 404, "")
	scimError(t, s.Do("GET", "/Bulk", ""), 404, "")
	scimError(t, s.Do("DELETE", "/Users", ""), 405, "")
}

// TestHugeBody: a 10 MB body is 413 in the SCIM error schema, and nothing
// is stored.
func TestHugeBody(t *testing.T) {
	s := Start(t, "", Options{})
	big := `{"userName":"big@example.com","displayName":"` + strings.Repeat("x", 10<<20) + `"}`
	scimError(t, s.DoRaw("POST", "/Users", []byte(big)), 413, "")
	id := create(t, s, "small@example.com", "s@example.com")
	scimError(t, s.DoRaw("PATCH", "/Users/"+id, []byte(`{"Operations":[{"op":"replace","path":"title","value":"`+strings.Repeat("y", 10<<20)+`"}]}`)), 413, "")
	if r := s.Do("GET", "/Users", ""); r.JSON["totalResults"] != float64(1) {
		t.Fatalf("after a 413: %s", r.Raw)
	}
	if r := s.Do("GET", "/Users/"+id, ""); r.JSON["title"] != nil {
		t.Fatalf("a refused PATCH changed the user: %s", r.Raw)
	}
}

// TestPutReplaces: PUT replaces the whole resource (RFC 7644 section
// 3.5.1): what it leaves out is gone, id stays, and a PUT without
// userName is 400.
func TestPutReplaces(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		id := create(t, s, "put@example.com", "p@example.com")
		r := s.Do("PUT", "/Users/"+id, `{"id":"`+id+`","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"put2@example.com","title":"Boss"}`)
		mustStatus(t, r, 200)
		if r.JSON["id"] != id || r.JSON["userName"] != "put2@example.com" || r.JSON["emails"] != nil || r.JSON["title"] != "Boss" {
			t.Fatalf("PUT answered %s", r.Raw)
		}
		u, _ := appUser(t, s, id)
		if u.UserID != "put2@example.com" || u.Fields["title"] != "Boss" {
			t.Fatalf("user after PUT %+v", u)
		}
		scimError(t, s.Do("PUT", "/Users/"+id, `{"userame":"x"}`), 400, "invalidValue")
		scimError(t, s.Do("PUT", "/Users/"+id, `{"displayName":"x"}`), 400, "invalidValue")
		scimError(t, s.Do("PUT", "/Users/nope", `{"userName":"x@example.com"}`), 404, "")
	})
}

// TestRunsLinkToRequests: a client's requests within a minute are one
// run of trigger scim in the runs list, and each outcome names the request
// that caused it by the id a wrapping request log gives (carried in the
// request's context and answered as X-Request-Id).
func TestRunsLinkToRequests(t *testing.T) {
	var seen []string
	mw := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := "req-" + r.Method + "-" + string(rune('a'+len(seen)))
			seen = append(seen, id)
			h.ServeHTTP(w, r.WithContext(scim.WithRequestID(r.Context(), id)))
		})
	}
	s := Start(t, "", Options{Middleware: mw})
	r := s.Do("POST", "/Users", createBody("linked@example.com", "l@example.com"))
	mustStatus(t, r, 201)
	if got := r.Header.Get("X-Request-Id"); got != seen[0] {
		t.Fatalf("X-Request-Id %q, want the middleware's %q", got, seen[0])
	}
	id := r.JSON["id"].(string)
	mustStatus(t, s.Do("PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"title","value":"Boss"}]}`), 204)
	mustStatus(t, s.Do("POST", "/Users", createBody("second@example.com", "s@example.com")), 201)
	ctx := context.Background()
	runs, err := s.App.Store.ListRuns(ctx, store.RunQuery{Connection: s.Conn})
	if err != nil || len(runs) != 1 || runs[0].Trigger != store.TriggerSCIM || runs[0].Created != 2 || runs[0].Updated != 1 {
		t.Fatalf("runs %+v, %v; want one scim run of 2 creates and 1 update", runs, err)
	}
	outs, err := s.App.Store.ListOutcomes(ctx, runs[0].ID, store.OutcomeQuery{})
	if err != nil || len(outs) != 3 {
		t.Fatalf("outcomes %+v, %v", outs, err)
	}
	for i, o := range outs {
		if !slices.Contains(o.Warnings, "SCIM request "+seen[i]) {
			t.Errorf("outcome %d (%s %s) does not name request %s: %v", i, o.Action, o.UserID, seen[i], o.Warnings)
		}
	}
}

// TestNeverA500 fuzzes bodies, paths and filters: whatever comes, the
// answer is a SCIM answer below 500.
func TestNeverA500(t *testing.T) {
	s := Start(t, "", Options{})
	id := create(t, s, "fuzz@example.com", "f@example.com")
	g := s.Do("POST", "/Groups", `{"displayName":"G"}`)
	gid := g.JSON["id"].(string)
	pieces := []string{`{`, `}`, `[`, `]`, `"`, `:`, `,`, `null`, `true`, `"False"`, `1e999`, `-0`, `"userName"`, `"Operations"`,
		`"op"`, `"path"`, `"value"`, `"members"`, `"emails[type eq \"work\"].value"`, `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
		`"manager"`, `"name.givenName"`, `{"value":"x"}`, `"add"`, `"Remove"`, `"replace"`, "\x00", `"\ud800"`, `$$$`, `"members[value eq \"x\"]"`}
	filters := []string{`userName eq "x"`, `(`, `)`, ` and `, ` or `, `not`, `[`, `]`, `emails[type eq "work"]`, `.value`, ` eq `, ` pr`,
		`"`, `meta.created gt `, `urn:ietf:params:scim:schemas:core:2.0:User:`, `manager`, `$$$`, `%`, "\x00"}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(list []string, n int) string {
		var b bytes.Buffer
		for range n {
			b.WriteString(list[rng.IntN(len(list))])
		}
		return b.String()
	}
	for i := range 400 {
		var r Response
		switch i % 5 {
		case 0:
			r = s.Do("POST", "/Users", pick(pieces, 1+rng.IntN(12)))
		case 1:
			r = s.Do("PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":`+pick(pieces, 1)+`,"value":`+pick(pieces, 1+rng.IntN(3))+`}]}`)
		case 2:
			r = s.Do("PATCH", "/Groups/"+gid, pick(pieces, 1+rng.IntN(12)))
		case 3:
			r = s.Do("GET", "/Users?filter="+url.QueryEscape(pick(filters, 1+rng.IntN(6))), "")
		case 4:
			r = s.Do("PUT", "/Users/"+id, pick(pieces, 1+rng.IntN(12)))
		}
		if r.Status >= 500 {
			t.Fatalf("request %d answered %d: %s", i, r.Status, r.Raw)
		}
	}
}
