package graph

import (
	"net/http"
	"strconv"
	"time"
)

// Fault makes one delta page fail, so that a client's handling of a round
// broken half-way can be tested.
type Fault struct {
	// Resource is "users" or "groups".
	Resource string
	// Page is the page of a delta round to fail, 1 for the first request
	// of the round.
	Page int
	// Status is the HTTP status to answer with (500 when zero), unless
	// Reset is set.
	Status int
	// Reset closes the connection without an answer instead.
	Reset bool
	// Times is how many times the fault fires; once when zero, or twice
	// for a reset: Go's HTTP client sends a GET again, once, when a
	// kept-alive connection closes before answering, so a single reset
	// would never reach the client's own code.
	Times int
}

type throttle struct {
	n          int
	status     int
	retryAfter time.Duration
	until      time.Time // every request before then is throttled
}

type faults struct {
	throttle throttle
	pages    []Fault
	resetGen uint64 // delta tokens minted before this generation answer resyncRequired
	// expiredBefore: delta tokens minted up to then answer syncStateNotFound.
	expiredBefore time.Time
}

// Throttle answers the next n Graph requests (not the token endpoint) with
// 429 Too Many Requests and a Retry-After header of retryAfter (throttling.md:
// a throttled request gets 429 and a Retry-After header with the seconds
// to wait; the request then succeeds once that has passed).
func (s *Server) Throttle(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.throttle = throttle{n: n, status: http.StatusTooManyRequests, retryAfter: retryAfter}
}

// Unavailable answers the next n Graph requests with 503 Service
// Unavailable and a Retry-After header (errors.md: 503 means the service
// is temporarily unavailable; repeat the request after the delay the
// Retry-After header gives).
func (s *Server) Unavailable(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.throttle = throttle{n: n, status: http.StatusServiceUnavailable, retryAfter: retryAfter}
}

// ThrottleFor answers every Graph request with 429 until d has passed,
// each with a Retry-After of the time left (throttling.md: wait the
// Retry-After seconds, then retry).
func (s *Server) ThrottleFor(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.throttle = throttle{status: http.StatusTooManyRequests, until: time.Now().Add(d)}
}

// FailPage arms a fault on a delta page.
func (s *Server) FailPage(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
		if f.Reset {
			f.Times = 2
		}
	}
	if f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.pages = append(s.faults.pages, f)
}

// takeThrottle reports whether this request is throttled, and consumes one.
func (s *Server) takeThrottle() (throttle, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.faults.throttle
	if left := time.Until(t.until); left > 0 {
		t.retryAfter = left
		return t, true
	}
	if t.n <= 0 {
		return t, false
	}
	s.faults.throttle.n--
	return t, true
}

func writeThrottled(w http.ResponseWriter, r *http.Request, t throttle) {
	secs := int((t.retryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if t.status == http.StatusTooManyRequests {
		// throttling.md's example: code TooManyRequests, and an innerError
		// repeating the status as code and status.
		writeGraphErrorInner(w, r, t.status, "TooManyRequests", "Please retry again later.",
			map[string]any{"code": "429", "status": "429", "message": "Please retry after"})
		return
	}
	writeGraphError(w, r, t.status, "serviceNotAvailable", "The service is temporarily unavailable; retry after the time the Retry-After header gives.")
}

// takePageFault returns the fault armed for this page of a round, if any.
func (s *Server) takePageFault(resource string, page int) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults.pages {
		f := &s.faults.pages[i]
		if f.Resource == resource && f.Page == page && f.Times > 0 {
			f.Times--
			out := *f
			if f.Times == 0 {
				s.faults.pages = append(s.faults.pages[:i], s.faults.pages[i+1:]...)
			}
			return out, true
		}
	}
	return Fault{}, false
}

func writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.Reset {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	writeGraphError(w, r, f.Status, "generalException", "An internal server error occurred; the page was not served.")
}
