package scim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// resources serves the Users or Groups endpoint of one connection.
type resources struct {
	h    *Handler
	conn string
	kind string
	base string
}

func (x resources) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	proj, err := projectionOf(x.kind, q)
	if err != nil {
		return err
	}
	start, count, err := paging(q)
	if err != nil {
		return err
	}
	var hint Hint
	match := func(Stored) bool { return true }
	if f := q.Get("filter"); strings.TrimSpace(f) != "" {
		e, err := ParseFilter(f)
		if err != nil {
			return err
		}
		if err := checkFilter(x.kind, e); err != nil {
			return err
		}
		hint = hintOf(x.kind, e)
		match = func(s Stored) bool {
			withID := Resource{"id": s.ID, "meta": map[string]any{"created": s.Created.UTC().Format(time.RFC3339Nano),
				"lastModified": s.Modified.UTC().Format(time.RFC3339Nano), "resourceType": x.kind}}
			for k, v := range s.Resource {
				withID[k] = v
			}
			return Match(x.kind, withID, e)
		}
	}
	all, err := x.listHinted(r, hint)
	if err != nil {
		return err
	}
	var hits []Stored
	for _, s := range all {
		if match(s) {
			hits = append(hits, s)
		}
	}
	total := len(hits)
	from := min(start-1, total)
	to := min(from+count, total)
	items := make([]any, 0, to-from)
	for _, s := range hits[from:to] {
		items = append(items, proj.apply(render(x.kind, x.base, s)))
	}
	writeJSON(w, http.StatusOK, listResponse(items, total, start))
	return nil
}

// listHinted lists the candidates: by id directly, otherwise through the
// backend with the hint.
func (x resources) listHinted(r *http.Request, hint Hint) ([]Stored, error) {
	if hint.ID != "" {
		s, err := x.h.backend.Get(r.Context(), x.conn, x.kind, hint.ID)
		if err != nil {
			if asError(err).Status == http.StatusNotFound {
				return nil, nil
			}
			return nil, err
		}
		return []Stored{s}, nil
	}
	return x.h.backend.List(r.Context(), x.conn, x.kind, hint)
}

// paging reads startIndex (1-based, less than 1 is 1) and count (negative
// is 0, capped at MaxResults), as RFC 7644 section 3.4.2.4 says.
func paging(q map[string][]string) (start, count int, err error) {
	start, count = 1, defaultCount
	if v := first(q, "startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, BadRequest(TypeInvalidValue, "startIndex must be an integer, got %q", v)
		}
		start = max(n, 1)
	}
	if v := first(q, "count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, BadRequest(TypeInvalidValue, "count must be an integer, got %q", v)
		}
		count = min(max(n, 0), MaxResults)
	}
	return start, count, nil
}

// first returns a query parameter by name in any case.
func first(q map[string][]string, name string) string {
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func (x resources) get(w http.ResponseWriter, r *http.Request, id string) error {
	proj, err := projectionOf(x.kind, r.URL.Query())
	if err != nil {
		return err
	}
	s, err := x.h.backend.Get(r.Context(), x.conn, x.kind, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, proj.apply(render(x.kind, x.base, s)))
	return nil
}

func (x resources) read(w http.ResponseWriter, r *http.Request) (Resource, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	m, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	return Normalize(x.kind, m)
}

func (x resources) create(w http.ResponseWriter, r *http.Request) error {
	res, err := x.read(w, r)
	if err != nil {
		return err
	}
	s, err := x.h.backend.Create(r.Context(), x.conn, x.kind, res)
	if err != nil {
		return err
	}
	out := render(x.kind, x.base, s)
	w.Header().Set("Location", out["meta"].(map[string]any)["location"].(string))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// replace serves a PUT. A PUT is a whole replacement, so attributes
// usersync does not know are left out of it rather than refusing it (as
// Microsoft's reference implementation does, and its test collection
// expects); the response names them in a Warning header. A known
// attribute with a bad value is still a 400 that changes nothing.
func (x resources) replace(w http.ResponseWriter, r *http.Request, id string) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	m, err := decodeObject(body)
	if err != nil {
		return err
	}
	res, ignored, err := NormalizeReplacement(x.kind, m)
	if err != nil {
		return err
	}
	s, err := x.h.backend.Update(r.Context(), x.conn, x.kind, id, func(Resource) (Resource, error) { return res, nil })
	if err != nil {
		return err
	}
	if len(ignored) > 0 {
		sort.Strings(ignored)
		w.Header().Set("Warning", "299 - "+strconv.QuoteToASCII("ignored unknown attributes: "+strings.Join(ignored, ", ")))
	}
	writeJSON(w, http.StatusOK, render(x.kind, x.base, s))
	return nil
}

// patch applies a PatchOp. RFC 7644 section 3.5.2 allows 204 No Content
// for a successful PATCH and requires 200 with the resource when the
// request names "attributes"; usersync answers 204 unless the request
// asks for attributes (or excludedAttributes), which saves rendering a
// resource nobody reads, such as a group of thousands of members.
func (x resources) patch(w http.ResponseWriter, r *http.Request, id string) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	ops, err := parsePatch(body)
	if err != nil {
		return err
	}
	// The projection is checked before the write, so that a bad one
	// changes nothing.
	q := r.URL.Query()
	answer := first(q, "attributes") != "" || first(q, "excludedAttributes") != ""
	proj, err := projectionOf(x.kind, q)
	if err != nil {
		return err
	}
	s, err := x.h.backend.Update(r.Context(), x.conn, x.kind, id, func(cur Resource) (Resource, error) {
		return ApplyPatch(x.kind, cur, ops)
	})
	if err != nil {
		return err
	}
	if !answer {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	writeJSON(w, http.StatusOK, proj.apply(render(x.kind, x.base, s)))
	return nil
}
