package scim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Prefix is where the handler is mounted: /scim/v2/{connection}/...
const Prefix = "/scim/v2/"

// MaxBody bounds a request body: a group PATCH adding a few thousand
// members fits, a 10 MB body is a 413.
const MaxBody = 1 << 20

// MaxResults is the most resources one list response holds.
const MaxResults = 1000

// defaultCount is the page size when the client names none.
const defaultCount = 100

// ContentType is what every response carries.
const ContentType = "application/scim+json"

// Handler serves SCIM 2.0 for every SCIM connection of a Backend.
type Handler struct {
	backend Backend
	log     *slog.Logger
}

// NewHandler returns the SCIM handler; mount it at Prefix.
func NewHandler(b Backend, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{backend: b, log: log}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP routes a SCIM request, authenticates it and answers every
// failure in the SCIM error schema.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if RequestID(ctx) == "" {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 100 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = "scim-" + hex.EncodeToString(b[:])
		}
		ctx = WithRequestID(ctx, id)
		r = r.WithContext(ctx)
	}
	w.Header().Set("X-Request-Id", RequestID(ctx))
	err := h.serve(w, r)
	if err == nil {
		return
	}
	e := asError(err)
	if e.Status >= 500 {
		h.log.Error("scim request failed", "method", r.Method, "path", r.URL.Path, "request", RequestID(ctx), "error", err)
	}
	writeError(w, e)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		return Errorf(http.StatusNotFound, "", "not a SCIM path")
	}
	conn, rest, _ := strings.Cut(rest, "/")
	if conn == "" {
		return Errorf(http.StatusNotFound, "", "the path needs a connection: %s{connection}/Users", Prefix)
	}
	token, ok := bearer(r)
	if !ok {
		return ErrUnauthorized
	}
	if err := h.backend.Authenticate(r.Context(), conn, token); err != nil {
		return err
	}
	base := baseURL(r, conn)
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	kind := ""
	switch strings.ToLower(segs[0]) {
	case "users":
		kind = KindUser
	case "groups":
		kind = KindGroup
	case "serviceproviderconfig", "serviceconfiguration": // the second is the reference code's path
		if r.Method != http.MethodGet {
			return methodNotAllowed(r)
		}
		writeJSON(w, http.StatusOK, serviceProviderConfig(base))
		return nil
	case "schemas":
		return h.schemas(w, r, base, segs[1:])
	case "resourcetypes":
		return h.resourceTypes(w, r, base, segs[1:])
	default:
		return Errorf(http.StatusNotFound, "", "no SCIM endpoint %q: use Users, Groups, ServiceProviderConfig, Schemas or ResourceTypes", segs[0])
	}
	if len(segs) > 2 {
		return Errorf(http.StatusNotFound, "", "no such SCIM path")
	}
	id := ""
	if len(segs) == 2 {
		id = segs[1]
	}
	res := resources{h: h, conn: conn, kind: kind, base: base}
	switch {
	case id == "" && r.Method == http.MethodGet:
		return res.list(w, r)
	case id == "" && r.Method == http.MethodPost:
		return res.create(w, r)
	case id == ".search" || id == "":
		return methodNotAllowed(r)
	case r.Method == http.MethodGet:
		return res.get(w, r, id)
	case r.Method == http.MethodPut:
		return res.replace(w, r, id)
	case r.Method == http.MethodPatch:
		return res.patch(w, r, id)
	case r.Method == http.MethodDelete:
		if err := h.backend.Delete(r.Context(), conn, kind, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return methodNotAllowed(r)
}

func methodNotAllowed(r *http.Request) error {
	return Errorf(http.StatusMethodNotAllowed, "", "%s is not supported here", r.Method)
}

// bearer returns the request's bearer token.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// baseURL is the absolute URL of a connection's SCIM root, for locations.
func baseURL(r *http.Request, conn string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix + conn
}

// readBody reads a request body up to MaxBody; a larger one is a 413.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, Errorf(http.StatusRequestEntityTooLarge, "", "the body is larger than %d bytes", MaxBody)
	}
	if err != nil {
		return nil, BadRequest(TypeInvalidSyntax, "reading the body: %v", err)
	}
	return body, nil
}

func (h *Handler) schemas(w http.ResponseWriter, r *http.Request, base string, segs []string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	if len(segs) > 0 && segs[0] != "" {
		s, ok := findSchema(strings.Join(segs, "/"))
		if !ok {
			return Errorf(http.StatusNotFound, "", "no schema %q", strings.Join(segs, "/"))
		}
		writeJSON(w, http.StatusOK, schemaDoc(s, base))
		return nil
	}
	var docs []any
	for _, s := range allSchemas() {
		docs = append(docs, schemaDoc(s, base))
	}
	writeJSON(w, http.StatusOK, listResponse(docs, len(docs), 1))
	return nil
}

func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request, base string, segs []string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	docs := resourceTypeDocs(base)
	if len(segs) > 0 && segs[0] != "" {
		for _, d := range docs {
			if strings.EqualFold(d["id"].(string), segs[0]) {
				writeJSON(w, http.StatusOK, d)
				return nil
			}
		}
		return Errorf(http.StatusNotFound, "", "no resource type %q", segs[0])
	}
	list := make([]any, len(docs))
	for i, d := range docs {
		list[i] = d
	}
	writeJSON(w, http.StatusOK, listResponse(list, len(list), 1))
	return nil
}

func listResponse(items []any, total, start int) map[string]any {
	if items == nil {
		items = []any{}
	}
	return map[string]any{"schemas": []string{ListResponseURN}, "totalResults": total, "Resources": items,
		"startIndex": start, "itemsPerPage": len(items)}
}

// render is a stored resource as a response: its attributes, id and meta.
func render(kind, base string, s Stored) map[string]any {
	out := make(map[string]any, len(s.Resource)+3)
	for k, v := range s.Resource {
		out[k] = v
	}
	out["id"] = s.ID
	if _, ok := out["schemas"]; !ok {
		out["schemas"] = schemasFor(kind, s.Resource)
	}
	if kind == KindGroup {
		if _, ok := out["members"]; !ok {
			out["members"] = []any{}
		}
	}
	endpoint := "/Users/"
	if kind == KindGroup {
		endpoint = "/Groups/"
	}
	out["meta"] = map[string]any{
		"resourceType": kind,
		"created":      s.Created.UTC().Format(time.RFC3339Nano),
		"lastModified": s.Modified.UTC().Format(time.RFC3339Nano),
		"location":     base + endpoint + s.ID,
		"version":      `W/"` + strconv.FormatInt(s.Version, 10) + `"`,
	}
	return out
}
