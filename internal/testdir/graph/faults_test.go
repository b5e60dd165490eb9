package graph

import (
	"net/http"
	"testing"
	"time"
)

// TestThrottling: throttling.md, a throttled request gets 429 and a
// Retry-After header in seconds, and succeeds after; errors.md, 503 may
// carry Retry-After too.
func TestThrottling(t *testing.T) {
	for _, tc := range []struct {
		name   string
		arm    func(*Server)
		status int
		code   string
	}{
		{"429", func(s *Server) { s.Throttle(2, 3*time.Second) }, http.StatusTooManyRequests, "TooManyRequests"},
		{"503", func(s *Server) { s.Unavailable(2, 1500*time.Millisecond) }, http.StatusServiceUnavailable, "serviceNotAvailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t)
			mustPutUser(t, s, User{UserPrincipalName: "a@contoso.example", DisplayName: "A"})
			tok := token(t, s)
			tc.arm(s)
			// The token endpoint is not Graph: it is not throttled here.
			if a := postToken(t, s, s.TenantID(), secretForm(DefaultClientID, DefaultSecret)); a.status != 200 {
				t.Fatalf("token while Graph throttles: %d", a.status)
			}
			for i := 0; i < 2; i++ {
				a := get(t, s, tok, "/users/delta")
				if a.status != tc.status || a.graphErr() != tc.code {
					t.Fatalf("request %d: %d %s, want %d %s", i, a.status, a.raw, tc.status, tc.code)
				}
				if ra := a.header.Get("Retry-After"); ra != "3" && ra != "2" {
					t.Fatalf("Retry-After %q", ra)
				}
			}
			if a := get(t, s, tok, "/users/delta"); a.status != 200 {
				t.Fatalf("after the throttled requests: %d %s", a.status, a.raw)
			}
		})
	}
}

// TestFailPage: a page of a round fails once; the same nextLink then
// serves it, so a client that retries or restarts can finish the round.
func TestFailPage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault Fault
	}{
		{"500", Fault{Resource: "users", Page: 2}},
		{"reset", Fault{Resource: "users", Page: 2, Reset: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t)
			if err := s.Generate(Scale{Users: 250}); err != nil {
				t.Fatal(err)
			}
			tok := token(t, s)
			s.FailPage(tc.fault)
			first := get(t, s, tok, "/users/delta")
			next := first.str("@odata.nextLink")
			req, _ := http.NewRequest(http.MethodGet, next, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := s.Client().Do(req)
			if tc.fault.Reset {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("page 2 answered %d, want a reset connection", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 500 {
					t.Fatalf("page 2: %d, want 500", resp.StatusCode)
				}
			}
			ps, _ := followRound(t, s, tok, next)
			if n := len(items(t, ps)) + len(first.value(t)); n != 250 {
				t.Fatalf("after the failure the round read %d users, want 250", n)
			}
		})
	}
}

// TestThrottleFor: every request in the window is refused with the time
// left; after it, requests pass.
func TestThrottleFor(t *testing.T) {
	s := New(t)
	tok := token(t, s)
	s.ThrottleFor(1200 * time.Millisecond)
	a := get(t, s, tok, "/users")
	if a.status != http.StatusTooManyRequests || (a.header.Get("Retry-After") != "2" && a.header.Get("Retry-After") != "1") {
		t.Fatalf("in the window: %d Retry-After %q", a.status, a.header.Get("Retry-After"))
	}
	if a := get(t, s, tok, "/groups"); a.status != http.StatusTooManyRequests {
		t.Fatalf("second request in the window: %d", a.status)
	}
	time.Sleep(1300 * time.Millisecond)
	if a := get(t, s, tok, "/users"); a.status != 200 {
		t.Fatalf("after the window: %d %s", a.status, a.raw)
	}
}
