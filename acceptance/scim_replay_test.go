package acceptance

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// vector is one request sequence of testdata/scim/vectors, written from RFC
// 7644 and Microsoft's SCIM provisioning pages (see the README there).
type vector struct {
	Source string `json:"source"`
	// Connection holds fields of the SCIM connection's document, such as
	// its deletion guard.
	Connection map[string]any `json:"connection"`
	Steps      []vectorStep   `json:"steps"`
	After      struct {
		Users  map[string]string    `json:"users"`
		Groups map[string]*[]string `json:"groups"`
		// Held are users whose deactivation waits for approval: active
		// until an administrator approves the held run, inactive after.
		Held []string `json:"held"`
		// Runs counts the connection's runs by status.
		Runs map[string]int `json:"runs"`
	} `json:"after"`
}

type vectorStep struct {
	Name       string            `json:"name"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Body       json.RawMessage   `json:"body"`
	RawBody    *string           `json:"rawBody"`
	Token      string            `json:"token"`
	Status     json.RawMessage   `json:"status"`
	Match      json.RawMessage   `json:"match"`
	Absent     []string          `json:"absent"`
	AbsentKeys []string          `json:"absentKeys"`
	Resources  *int              `json:"resources"`
	Count      map[string]int    `json:"count"`
	Header     map[string]string `json:"header"`
	Save       map[string]string `json:"save"`
}

func loadVectors(t *testing.T) map[string]vector {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "scim", "vectors", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no SCIM vectors: %v", err)
	}
	out := map[string]vector{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v vector
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = v
	}
	return out
}

// TestSCIMReplayVectors replays every documented request sequence against
// `usersync serve` on both stores, each on a SCIM connection of its own,
// checks every answer, and then checks what usersync holds: the users and
// their state, the group memberships, and the runs that recorded them.
func TestSCIMReplayVectors(t *testing.T) {
	vectors := loadVectors(t)
	names := make([]string, 0, len(vectors))
	for n := range vectors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			for _, n := range names {
				// Each sequence gets a store of its own: userIds are unique
				// across connections, and the documents reuse theirs.
				t.Run(n, func(t *testing.T) {
					a := st.newAdmin(t)
					a.scimConnection("entra", vectors[n].Connection)
					// The application groups a pushed group's members get
					// through the group rules, by the group's name.
					for group, members := range vectors[n].After.Groups {
						if members != nil {
							a.must("group", "add", group)
						}
					}
					c := a.serve()
					r := &replayer{t: t, a: a, base: c.base + "/scim/v2/entra", token: c.scimToken("entra"), conn: "entra",
						vars: map[string]string{}, userNames: map[string]string{}}
					r.run(vectors[n])
				})
			}
		})
	}
}

// replayer runs one vector against one SCIM connection.
type replayer struct {
	t           *testing.T
	a           *admin
	base, token string
	conn        string
	vars        map[string]string
	userNames   map[string]string // SCIM id → userName, from the answers
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// expand replaces ${name} with a saved variable and ${guid} with a new GUID.
func (r *replayer) expand(s string) string {
	r.t.Helper()
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if name == "guid" {
			return newGUID()
		}
		v, ok := r.vars[name]
		if !ok {
			r.t.Fatalf("%s: no saved variable %q", m, name)
		}
		return v
	})
}

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// requestURL escapes the query of a path written as the documents write
// it (filter=userName eq "x") the way a client sends it.
func (r *replayer) requestURL(p string) string {
	path, query, _ := strings.Cut(p, "?")
	if query == "" {
		return r.base + path
	}
	var parts []string
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return r.base + path + "?" + strings.Join(parts, "&")
}

func (r *replayer) run(v vector) {
	t := r.t
	t.Logf("source: %s", v.Source)
	for i, s := range v.Steps {
		r.step(fmt.Sprintf("step %d %q", i+1, s.Name), s)
		if t.Failed() {
			return
		}
	}
	r.checkAfter(v)
}

func (r *replayer) step(label string, s vectorStep) {
	t := r.t
	t.Helper()
	var body io.Reader
	sent := ""
	switch {
	case s.RawBody != nil:
		sent = *s.RawBody
	case len(s.Body) > 0:
		sent = r.expand(string(s.Body))
	}
	if sent != "" {
		body = strings.NewReader(sent)
	}
	req, err := http.NewRequest(s.Method, r.requestURL(r.expand(s.Path)), body)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if sent != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	switch s.Token {
	case "":
		req.Header.Set("Authorization", "Bearer "+r.token)
	case "wrong":
		req.Header.Set("Authorization", "Bearer "+r.token+"x")
	case "none":
	default:
		t.Fatalf("%s: unknown token %q", label, s.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	report := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: %s %s\nsent: %s\ngot %d: %s\n%s", label, s.Method, req.URL.RequestURI(), sent, resp.StatusCode, got, fmt.Sprintf(format, args...))
	}
	if !statusAllowed(s.Status, resp.StatusCode) {
		report("status %d, want %s", resp.StatusCode, s.Status)
		return
	}
	for h, want := range s.Header {
		want = r.expand(want)
		if !strings.Contains(resp.Header.Get(h), want) {
			report("header %s is %q, want it to contain %q", h, resp.Header.Get(h), want)
		}
	}
	if len(s.Match) == 0 && s.Resources == nil && len(s.Count) == 0 && len(s.Absent) == 0 && len(s.AbsentKeys) == 0 && len(s.Save) == 0 {
		return
	}
	var doc map[string]any
	if err := json.Unmarshal(got, &doc); err != nil {
		report("the body is not a JSON object: %v", err)
		return
	}
	if len(s.Match) > 0 {
		var want any
		if err := json.Unmarshal([]byte(r.expand(string(s.Match))), &want); err != nil {
			t.Fatalf("%s: match: %v", label, err)
		}
		if why := contains(want, doc, ""); why != "" {
			report("%s", why)
		}
	}
	if s.Resources != nil {
		res, _ := lookupFold(doc, "Resources").([]any)
		if len(res) != *s.Resources {
			report("%d Resources, want %d", len(res), *s.Resources)
		}
	}
	for attr, n := range s.Count {
		vals, _ := lookupFold(doc, attr).([]any)
		if len(vals) != n {
			report("%d values of %s, want %d", len(vals), attr, n)
		}
	}
	for _, p := range s.Absent {
		if present(doc, strings.Split(p, ".")) {
			report("%s is present, want it absent", p)
		}
	}
	for _, k := range s.AbsentKeys {
		if _, ok := doc[k]; ok {
			report("the key %q is present, want it absent", k)
		}
	}
	for name, p := range s.Save {
		val, ok := at(doc, strings.Split(p, ".")).(string)
		if !ok || val == "" {
			report("no %s to save as %s", p, name)
			continue
		}
		r.vars[name] = val
	}
	if id, ok := doc["id"].(string); ok {
		if un, ok := doc["userName"].(string); ok {
			r.userNames[id] = un
		}
	}
}

func statusAllowed(spec json.RawMessage, got int) bool {
	var one int
	if json.Unmarshal(spec, &one) == nil {
		return got == one
	}
	var many []int
	if json.Unmarshal(spec, &many) == nil {
		for _, s := range many {
			if s == got {
				return true
			}
		}
	}
	return false
}

// contains returns why got does not contain want, or "": objects by key
// (SCIM attribute names compared case-insensitively), arrays element by
// element in any order, each wanted element matching a different one.
func contains(want, got any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want an object", orRoot(at), got)
		}
		for k, wv := range w {
			gv := lookupFold(g, k)
			if gv == nil && wv != nil {
				return fmt.Sprintf("%s.%s is missing, want %v", orRoot(at), k, wv)
			}
			if why := contains(wv, gv, at+"."+k); why != "" {
				return why
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want an array", orRoot(at), got)
		}
		used := make([]bool, len(g))
	next:
		for i, wv := range w {
			for j, gv := range g {
				if !used[j] && contains(wv, gv, "") == "" {
					used[j] = true
					continue next
				}
			}
			return fmt.Sprintf("%s[%d]: no element matches %v in %v", orRoot(at), i, wv, g)
		}
		return ""
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) || (want == nil) != (got == nil) {
			return fmt.Sprintf("%s is %#v, want %#v", orRoot(at), got, want)
		}
		// A JSON string and a number that print alike differ.
		if _, ws := want.(string); ws {
			if _, gs := got.(string); !gs {
				return fmt.Sprintf("%s is %#v, want the string %#v", orRoot(at), got, want)
			}
		}
		return ""
	}
}

func orRoot(at string) string {
	if at == "" {
		return "the body"
	}
	return strings.TrimPrefix(at, ".")
}

func lookupFold(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// at returns the value at a dotted path, or nil.
func at(v any, path []string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = lookupFold(m, p)
	}
	return v
}

// present reports whether a dotted path has a value, looking into every
// element of the arrays on the way. An empty array is no value.
func present(v any, path []string) bool {
	if len(path) == 0 {
		arr, isArr := v.([]any)
		return v != nil && (!isArr || len(arr) > 0)
	}
	switch x := v.(type) {
	case map[string]any:
		child := lookupFold(x, path[0])
		return child != nil && present(child, path[1:])
	case []any:
		for _, e := range x {
			if present(e, path) {
				return true
			}
		}
	}
	return false
}

// checkAfter checks what usersync holds once the sequence is over: each
// user's state, and a run recording the user as created (or deactivated),
// found by the user's external id since a rename changes the userId.
func (r *replayer) checkAfter(v vector) {
	t := r.t
	users := map[string][]appUser{}
	for _, u := range r.a.users() {
		if u.Connection == r.conn {
			users[strings.ToLower(u.UserID)] = append(users[strings.ToLower(u.UserID)], u)
		}
	}
	actions := r.outcomeActions()
	recorded := func(us []appUser, action string) bool {
		for _, u := range us {
			if actions[u.ExternalID][action] {
				return true
			}
		}
		return false
	}
	for userName, want := range v.After.Users {
		held := users[strings.ToLower(userName)]
		var active, other int
		for _, u := range held {
			if u.Status == "active" {
				active++
			} else {
				other++
			}
		}
		switch want {
		case "active":
			if active != 1 {
				t.Errorf("after: %s has %d active users, want 1 (users: %+v)", userName, active, held)
			} else if !recorded(held, "created") {
				t.Errorf("after: no run of %s records %s as created (outcomes: %v)", r.conn, userName, actions)
			}
		case "inactive":
			if active != 0 || other == 0 {
				t.Errorf("after: %s has %d active and %d other users, want one held and not active", userName, active, other)
			} else if !recorded(held, "deactivated") {
				t.Errorf("after: no run of %s records %s as deactivated (outcomes: %v)", r.conn, userName, actions)
			}
		case "gone":
			if active != 0 {
				t.Errorf("after: %s is still active, want no active user", userName)
			}
		default:
			t.Fatalf("after: unknown state %q for %s", want, userName)
		}
	}
	r.checkRuns(v)
	for group, members := range v.After.Groups {
		r.checkGroup(group, members)
		if members == nil {
			continue
		}
		// Group rules give the members of a pushed group a membership of
		// the group's name, and nobody else.
		in := map[string]bool{}
		for _, m := range *members {
			in[strings.ToLower(m)] = true
		}
		for userName := range v.After.Users {
			if v.After.Users[userName] != "active" {
				continue
			}
			has := false
			for _, ms := range r.a.memberships(userName) {
				has = has || ms.Name == group
			}
			if has != in[strings.ToLower(userName)] {
				t.Errorf("after: %s has a membership %q: %v, want %v (memberships: %v)", userName, group, has, in[strings.ToLower(userName)], r.a.memberships(userName))
			}
		}
	}
}

// checkRuns counts the connection's runs by status, then approves the held
// ones as an administrator does and checks that the held users are
// deactivated only now.
func (r *replayer) checkRuns(v vector) {
	t := r.t
	if len(v.After.Runs) == 0 && len(v.After.Held) == 0 {
		return
	}
	var runs []struct {
		ID     int64  `json:"runId"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.a.must("runs", "list", "--connection", r.conn, "--limit", "1000", "--json")), &runs); err != nil {
		t.Fatalf("runs list --json: %v", err)
	}
	count := map[string]int{}
	for _, run := range runs {
		count[run.Status]++
	}
	for status, n := range v.After.Runs {
		if count[status] != n {
			t.Errorf("after: %d runs %s, want %d (runs: %+v)", count[status], status, n, runs)
		}
	}
	state := func(userName string) string {
		for _, u := range r.a.users() {
			if u.Connection == r.conn && strings.EqualFold(u.UserID, userName) && u.Status == "active" {
				return "active"
			}
		}
		return "not active"
	}
	for _, userName := range v.After.Held {
		if got := state(userName); got != "active" {
			t.Errorf("after: %s is %s while its deactivation waits for approval", userName, got)
		}
	}
	for _, run := range runs {
		if run.Status == "awaitingApproval" {
			r.a.must("runs", "approve", jsonNumber(run.ID))
		}
	}
	for _, userName := range v.After.Held {
		if got := state(userName); got != "not active" {
			t.Errorf("after the approval: %s is still active", userName)
		}
	}
}

// outcomeActions returns, by external id, the actions the runs of the
// connection recorded.
func (r *replayer) outcomeActions() map[string]map[string]bool {
	var runs []struct {
		ID int64 `json:"runId"`
	}
	if err := json.Unmarshal([]byte(r.a.must("runs", "list", "--connection", r.conn, "--limit", "1000", "--json")), &runs); err != nil {
		r.t.Fatalf("runs list --json: %v", err)
	}
	out := map[string]map[string]bool{}
	for _, run := range runs {
		for _, o := range r.outcomesOf(run.ID) {
			if out[o.ExternalID] == nil {
				out[o.ExternalID] = map[string]bool{}
			}
			out[o.ExternalID][o.Action] = true
		}
	}
	return out
}

// outcomesOf returns a run's outcomes with their external ids.
func (r *replayer) outcomesOf(runID int64) []struct {
	ExternalID string `json:"externalId"`
	Action     string `json:"action"`
} {
	var shown struct {
		Outcomes []struct {
			ExternalID string `json:"externalId"`
			Action     string `json:"action"`
		} `json:"outcomes"`
	}
	if err := json.Unmarshal([]byte(r.a.must("runs", "show", jsonNumber(runID), "--json")), &shown); err != nil {
		r.t.Fatalf("runs show --json: %v", err)
	}
	return shown.Outcomes
}

// checkGroup checks a group's members as the SCIM endpoint returns them,
// by userName; nil members means the group must not exist.
func (r *replayer) checkGroup(group string, members *[]string) {
	t := r.t
	req, _ := http.NewRequest("GET", r.requestURL(`/Groups?filter=displayName eq "`+group+`"`), nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Resources []struct {
			Members []struct {
				Value string `json:"value"`
			} `json:"members"`
		} `json:"Resources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after: GET group %q: %d %v", group, resp.StatusCode, err)
	}
	if members == nil {
		if len(list.Resources) != 0 {
			t.Errorf("after: group %q exists, want it gone", group)
		}
		return
	}
	if len(list.Resources) != 1 {
		t.Errorf("after: %d groups named %q, want 1", len(list.Resources), group)
		return
	}
	var got []string
	for _, m := range list.Resources[0].Members {
		got = append(got, strings.ToLower(r.userNames[m.Value]))
	}
	want := append([]string(nil), *members...)
	for i := range want {
		want[i] = strings.ToLower(want[i])
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("after: members of %q are %v, want %v", group, got, want)
	}
}
