package scimlog

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// Store is what the log needs of the store.
type Store interface {
	AddSCIMRequests(ctx context.Context, entries []store.SCIMRequest) error
	PurgeSCIMRequests(ctx context.Context, cutoff time.Time) (int, error)
}

// Options tune the log. Zero values take the defaults.
type Options struct {
	// Retention is how long an entry is kept (store.DefaultSCIMRequestRetention).
	Retention time.Duration
	// MaxBody is the largest request body logged (64 KiB); a larger one is
	// logged by its size only, and still reaches the handler whole.
	MaxBody int
	// Logger reports entries that could not be written.
	Logger *slog.Logger
}

// DefaultMaxBody is the largest request body logged when Options leave it unset.
const DefaultMaxBody = 64 << 10

// Prefix is the path under which SCIM connections are served.
const Prefix = scim.Prefix

// HeaderRequestID is the response header carrying an entry's request id.
const HeaderRequestID = "X-Request-Id"

// Log records SCIM requests. Create it with New, run it with Run, and wrap
// the SCIM handler with Handler.
type Log struct {
	st    Store
	opts  Options
	queue chan item
	now   func() time.Time
}

// item is an entry to write, or, with done set, a marker closed once every
// entry queued before it is written.
type item struct {
	entry store.SCIMRequest
	done  chan struct{}
}

// New returns a log writing to st.
func New(st Store, opts Options) *Log {
	if opts.Retention <= 0 {
		opts.Retention = store.DefaultSCIMRequestRetention
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Log{st: st, opts: opts, queue: make(chan item, 4096), now: time.Now}
}

// Handler wraps a SCIM handler: requests under Prefix are logged, others
// pass through untouched.
func (l *Log) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rest, ok := splitPath(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		start := l.now()
		id := newRequestID()
		w.Header().Set(HeaderRequestID, id)

		// Read at most MaxBody+1 bytes for the log and hand the handler
		// those bytes followed by the rest, so that its own size limit
		// still sees the whole body.
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(r.Body, int64(l.opts.MaxBody)+1))
			r.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK, max: l.opts.MaxBody}
		// The handler takes the id from the context, never from the
		// client's own X-Request-Id, so that every entry's id is unique and
		// the run outcomes of the request name this entry.
		next.ServeHTTP(rec, r.WithContext(scim.WithRequestID(r.Context(), id)))

		truncated := len(body) > l.opts.MaxBody
		if truncated {
			body = body[:l.opts.MaxBody]
		}
		e := store.SCIMRequest{
			RequestID:  id,
			Connection: conn,
			At:         start,
			Method:     r.Method,
			Path:       rest + query(r.URL),
			Status:     rec.status,
			Duration:   l.now().Sub(start),
			Body:       redactBody(body, truncated),
		}
		e.ResourceID, e.UserName = subject(rest, body, truncated, rec)
		l.queue <- item{entry: e}
	})
}

// splitPath returns the connection and the path below it of a SCIM path.
func splitPath(p string) (conn, rest string, ok bool) {
	after, found := strings.CutPrefix(p, Prefix)
	if !found {
		return "", "", false
	}
	conn, rest, _ = strings.Cut(after, "/")
	if conn == "" {
		return "", "", false
	}
	return conn, "/" + rest, true
}

// query returns the request's query as the client meant it, unescaped for
// reading, or as sent when it does not unescape.
func query(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	q, err := url.QueryUnescape(u.RawQuery)
	if err != nil {
		q = u.RawQuery
	}
	// A filter on the password would carry one in the URL.
	if strings.Contains(strings.ToLower(q), "password") {
		return "?(a query naming a password, not logged)"
	}
	return "?" + q
}

// subject finds the SCIM id and userName a request was about: the id from
// the path or the response, the userName from the body, a PATCH of
// userName, or the response.
func subject(rest string, body []byte, truncated bool, rec *recorder) (resourceID, userName string) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) >= 2 && (strings.EqualFold(parts[0], "Users") || strings.EqualFold(parts[0], "Groups")) {
		resourceID = parts[1]
	}
	if !truncated {
		userName = userNameIn(body)
	}
	if !rec.overflow && strings.Contains(rec.Header().Get("Content-Type"), "json") {
		var resp map[string]any
		if json.Unmarshal(rec.body.Bytes(), &resp) == nil {
			if id, ok := lookup(resp, "id").(string); ok && resourceID == "" && len(parts) == 1 {
				resourceID = id
			}
			if u, ok := lookup(resp, "userName").(string); ok && userName == "" {
				userName = u
			}
		}
	}
	return resourceID, userName
}

// userNameIn returns the userName a request body sets, directly or in a
// PATCH operation, or "".
func userNameIn(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	if u, ok := lookup(m, "userName").(string); ok {
		return u
	}
	ops, _ := lookup(m, "Operations").([]any)
	for _, o := range ops {
		op, _ := o.(map[string]any)
		if op == nil {
			continue
		}
		path, _ := lookup(op, "path").(string)
		switch v := lookup(op, "value").(type) {
		case string:
			if strings.EqualFold(path, "userName") {
				return v
			}
		case map[string]any:
			if u, ok := lookup(v, "userName").(string); ok && path == "" {
				return u
			}
		}
	}
	return ""
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// readCloser reads from the replayed body and closes the original.
type readCloser struct {
	io.Reader
	io.Closer
}

// recorder notes the status and keeps the first bytes of the response,
// enough to learn the id and userName of a created or returned user.
type recorder struct {
	http.ResponseWriter
	status   int
	wrote    bool
	body     bytes.Buffer
	max      int
	overflow bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if !r.overflow {
		if r.body.Len()+len(b) > r.max {
			r.overflow = true
			r.body.Reset()
		} else {
			r.body.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
