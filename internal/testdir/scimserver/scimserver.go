// Package scimserver is a SCIM 2.0 service provider for tests that usersync
// did not write: the HTTP side, the parsing of requests and filters and the
// error documents are github.com/elimity-com/scim's; this package only keeps
// Users and Groups in memory behind that library's ResourceHandler, logs every
// request it is sent, and can be told to answer 429 or to be down.
package scimserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	scim "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// Request is one request the server was sent, with its body as JSON.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   map[string]any
	Status int
}

// Server is a running SCIM service provider on 127.0.0.1.
type Server struct {
	URL   string // the SCIM base URL, ending in /scim/v2
	Token string // the bearer token it accepts

	mu         sync.Mutex
	requests   []Request
	throttle   int
	retryAfter int
	down       bool
	users      *store
	groups     *store
	httpSrv    *httptest.Server
	gate       chan struct{} // when not nil, requests wait until it closes
	stalled    int
}

// Start serves an empty provider until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{Token: "target-token-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		users: newStore("User", "userName"), groups: newStore("Group", "displayName")}
	userType := scim.ResourceType{ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
		Schema: schema.CoreUserSchema(), Handler: s.users,
		SchemaExtensions: []scim.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}}}
	groupType := scim.ResourceType{ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
		Schema: schema.CoreGroupSchema(), Handler: s.groups}
	lib, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{SupportFiltering: true, SupportPatch: true, MaxResults: 200},
		ResourceTypes:         []scim.ResourceType{userType, groupType},
	})
	if err != nil {
		t.Fatalf("scimserver: %v", err)
	}
	inner := http.StripPrefix("/scim", lib)
	s.httpSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
		if len(body) > 0 {
			_ = json.Unmarshal(body, &req.Body)
		}
		s.mu.Lock()
		gate := s.gate
		if gate != nil {
			s.stalled++
		}
		s.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		s.mu.Lock()
		down, throttled, after := s.down, s.throttle > 0, s.retryAfter
		if throttled {
			s.throttle--
		}
		s.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		switch {
		case down:
			rec.status = http.StatusServiceUnavailable
			http.Error(w, "down", http.StatusServiceUnavailable)
		case r.Header.Get("Authorization") != "Bearer "+s.Token:
			rec.status = http.StatusUnauthorized
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case throttled:
			rec.status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", strconv.Itoa(after))
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			inner.ServeHTTP(rec, r)
		}
		req.Status = rec.status
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
	}))
	t.Cleanup(s.httpSrv.Close)
	s.URL = s.httpSrv.URL + "/scim/v2"
	return s
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// Throttle answers the next n requests with 429 and Retry-After seconds.
func (s *Server) Throttle(n, retryAfterSeconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retryAfter = n, retryAfterSeconds
}

// Stall makes every request wait, unanswered, until Release.
func (s *Server) Stall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.stalled = make(chan struct{}), 0
}

// Stalled counts the requests that arrived since Stall.
func (s *Server) Stalled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stalled
}

// Release answers the stalled requests and serves again.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
}

// SetDown makes every request fail with 503 (down) or be served again.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Users returns every user's attributes keyed by id.
func (s *Server) Users() map[string]map[string]any { return s.users.all() }

// Groups returns every group's attributes keyed by id.
func (s *Server) Groups() map[string]map[string]any { return s.groups.all() }

// PutUser stores a user the application already had, and returns its id.
func (s *Server) PutUser(attrs map[string]any) string {
	res, err := s.users.Create(nil, attrs)
	if err != nil {
		panic(fmt.Sprintf("scimserver: put user: %v", err))
	}
	return res.ID
}

// store is the in-memory ResourceHandler of one resource type; unique is
// the attribute the provider keeps unique (userName, displayName), compared
// without regard to case as RFC 7643 says of userName.
type store struct {
	kind   string
	unique string
	mu     sync.Mutex
	next   int
	items  map[string]scim.ResourceAttributes
	extIDs map[string]string
}

var _ scim.ResourceHandler = (*store)(nil)

func newStore(kind, unique string) *store {
	return &store{kind: kind, unique: unique, items: map[string]scim.ResourceAttributes{}, extIDs: map[string]string{}}
}

func (st *store) all() map[string]map[string]any {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := map[string]map[string]any{}
	for id, a := range st.items {
		c := clone(a)
		if e, ok := st.extIDs[id]; ok {
			c["externalId"] = e
		}
		out[id] = c
	}
	return out
}

func (st *store) resource(id string) scim.Resource {
	r := scim.Resource{ID: id, Attributes: clone(st.items[id])}
	if e, ok := st.extIDs[id]; ok {
		r.ExternalID = optional.NewString(e)
	}
	return r
}

func (st *store) clash(id string, attrs scim.ResourceAttributes) bool {
	v, _ := attrs[st.unique].(string)
	for other, a := range st.items {
		if o, _ := a[st.unique].(string); other != id && v != "" && equalFold(o, v) {
			return true
		}
	}
	return false
}

func (st *store) Create(_ *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	attrs = clone(attrs)
	if st.clash("", attrs) {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	st.next++
	id := fmt.Sprintf("%s-%d", st.kind, st.next)
	if e, ok := attrs["externalId"].(string); ok {
		st.extIDs[id] = e
		delete(attrs, "externalId")
	}
	st.items[id] = attrs
	return st.resource(id), nil
}

func (st *store) Get(_ *http.Request, id string) (scim.Resource, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.items[id]; !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return st.resource(id), nil
}

func (st *store) GetAll(_ *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ids := sortedIDs(st.items)
	var matched []scim.Resource
	for _, id := range ids {
		r := st.resource(id)
		if p.FilterValidator != nil {
			view := clone(r.Attributes)
			view["id"] = id
			if r.ExternalID.Present() {
				view["externalId"] = r.ExternalID.Value()
			}
			if p.FilterValidator.PassesFilter(view) != nil {
				continue
			}
		}
		matched = append(matched, r)
	}
	start := p.StartIndex - 1
	if start < 0 {
		start = 0
	}
	page := scim.Page{TotalResults: len(matched), Resources: []scim.Resource{}}
	for i := start; i < len(matched) && len(page.Resources) < p.Count; i++ {
		page.Resources = append(page.Resources, matched[i])
	}
	return page, nil
}

func (st *store) Replace(_ *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.items[id]; !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	attrs = clone(attrs)
	if st.clash(id, attrs) {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	if e, ok := attrs["externalId"].(string); ok {
		st.extIDs[id] = e
		delete(attrs, "externalId")
	}
	st.items[id] = attrs
	return st.resource(id), nil
}

func (st *store) Delete(_ *http.Request, id string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.items[id]; !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(st.items, id)
	delete(st.extIDs, id)
	return nil
}

func (st *store) Patch(_ *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cur, ok := st.items[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	next := clone(cur)
	for _, op := range ops {
		if err := applyOp(next, op); err != nil {
			return scim.Resource{}, err
		}
	}
	if e, ok := next["externalId"].(string); ok {
		st.extIDs[id] = e
		delete(next, "externalId")
	}
	if st.clash(id, next) {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	st.items[id] = next
	return st.resource(id), nil
}
