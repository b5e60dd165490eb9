package graph

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// answer is a decoded HTTP answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) value(t *testing.T) []map[string]any {
	t.Helper()
	v, ok := a.body["value"].([]any)
	if !ok {
		t.Fatalf("no value array in %s", a.raw)
	}
	out := make([]map[string]any, len(v))
	for i, x := range v {
		out[i] = x.(map[string]any)
	}
	return out
}

func (a answer) str(k string) string {
	s, _ := a.body[k].(string)
	return s
}

// graphErr returns error.code of a Graph error body.
func (a answer) graphErr() string {
	e, _ := a.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func do(t *testing.T, s *Server, req *http.Request) answer {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &a.body); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v: %s", req.Method, req.URL, err, b)
		}
	}
	return a
}

func postToken(t *testing.T, s *Server, tenant string, form url.Values) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, s, req)
}

func secretForm(clientID, secret string) url.Values {
	return url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID},
		"client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"},
	}
}

// token gets an access token for the default app.
func token(t *testing.T, s *Server) string {
	t.Helper()
	a := postToken(t, s, s.TenantID(), secretForm(DefaultClientID, DefaultSecret))
	if a.status != http.StatusOK {
		t.Fatalf("token: %d %s", a.status, a.raw)
	}
	return a.str("access_token")
}

// get sends a GET as a Graph client would, with the bearer token and any
// extra headers as name, value pairs.
func get(t *testing.T, s *Server, tok, u string, headers ...string) answer {
	t.Helper()
	if !strings.HasPrefix(u, "https://") {
		u = s.GraphURL() + u
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return do(t, s, req)
}

// round follows nextLinks from u until a deltaLink, returning the pages.
func followRound(t *testing.T, s *Server, tok, u string, headers ...string) (pages []answer, deltaLink string) {
	t.Helper()
	for i := 0; i < 100000; i++ {
		a := get(t, s, tok, u, headers...)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", u, a.status, a.raw)
		}
		pages = append(pages, a)
		if dl := a.str("@odata.deltaLink"); dl != "" {
			if a.str("@odata.nextLink") != "" {
				t.Fatalf("a page has both a nextLink and a deltaLink: %s", a.raw)
			}
			return pages, dl
		}
		u = a.str("@odata.nextLink")
		if u == "" {
			t.Fatalf("a page has neither a nextLink nor a deltaLink: %s", a.raw)
		}
	}
	t.Fatal("the round never ended")
	return nil, ""
}

func items(t *testing.T, pages []answer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range pages {
		out = append(out, p.value(t)...)
	}
	return out
}

func byID(t *testing.T, objs []map[string]any) map[string]map[string]any {
	t.Helper()
	m := map[string]map[string]any{}
	for _, o := range objs {
		id, _ := o["id"].(string)
		if id == "" {
			t.Fatalf("object without id: %v", o)
		}
		m[id] = o
	}
	return m
}

func mustPutUser(t *testing.T, s *Server, u User) string {
	t.Helper()
	id, err := s.PutUser(u)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustPutGroup(t *testing.T, s *Server, g Group) string {
	t.Helper()
	id, err := s.PutGroup(g)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func keys(o map[string]any) []string {
	var ks []string
	for k := range o {
		ks = append(ks, k)
	}
	return ks
}
