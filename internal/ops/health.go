package ops

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Healthz answers 200 while the process serves HTTP at all: a liveness
// probe, which must not depend on the store or a directory.
func Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
}

// Check is one readiness condition; it returns nil when satisfied.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Readyz answers 200 when every check passes and 503 naming the failing
// ones otherwise: a readiness probe.
func Readyz(checks ...Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		var failed []string
		for _, c := range checks {
			if err := c.Fn(ctx); err != nil {
				failed = append(failed, fmt.Sprintf("%s: %v", c.Name, err))
			}
		}
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			for _, f := range failed {
				fmt.Fprintln(w, "not ready:", f)
			}
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// Mux returns a mux with /metrics, /healthz and /readyz.
func Mux(m *Metrics, checks ...Check) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m)
	mux.Handle("GET /healthz", Healthz())
	mux.Handle("GET /readyz", Readyz(checks...))
	return mux
}
