package scimpush

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Errors a target's answers map to; a caller tells them apart with
// errors.Is.
var (
	// ErrConflict is 409: the target already holds a unique value (RFC
	// 7644 section 3.12, scimType uniqueness).
	ErrConflict = errors.New("scim target: uniqueness conflict")
	// ErrNotFound is 404: the resource is not on the target (any more).
	ErrNotFound = errors.New("scim target: not found")
	// ErrUnavailable is a target that did not answer, or kept answering
	// 429 or 5xx after every retry: nothing may be marked pushed.
	ErrUnavailable = errors.New("scim target: unavailable")
	// ErrUnauthorized is 401 or 403, or a token endpoint that refused the
	// client credentials: the target's credential needs fixing.
	ErrUnauthorized = errors.New("scim target: not authorized")
)

// StatusError is an answer that is not a success, with the SCIM error
// document's detail when the target sent one.
type StatusError struct {
	Method, Path string
	Status       int
	ScimType     string
	Detail       string
	// retryAfter is a 429's Retry-After, 0 when it gave none.
	retryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("scim target: %s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.ScimType != "" {
		msg += " " + e.ScimType
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is maps statuses to the sentinel errors.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrConflict:
		return e.Status == http.StatusConflict
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case ErrUnavailable:
		return e.Status == http.StatusTooManyRequests || e.Status >= 500
	}
	return false
}

// Client speaks SCIM 2.0 to one application. HTTP carries the
// authentication (a bearer token or OAuth client credentials, see Dial).
type Client struct {
	BaseURL string
	HTTP    *http.Client
	// Retries is how many times a 429, a 5xx or a failed connection is
	// retried before the request fails with ErrUnavailable.
	Retries int
	// Backoff is the first wait after a 5xx or a failed connection; it
	// doubles on each retry. A 429's Retry-After replaces it.
	Backoff time.Duration
	// MaxWait caps one wait, Retry-After included, so that a target
	// asking for an hour fails the run instead of holding it.
	MaxWait time.Duration
	// Limiter spaces requests to the target's rate; nil sends at once.
	Limiter *Limiter
	// Sleep waits; tests replace it to record the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do sends one request and decodes a JSON answer into out (when not nil).
// It retries what RFC 7644 and RFC 6585 say may succeed later: 429 after
// its Retry-After, 5xx and connection failures with exponential backoff.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("scim target: encode %s %s: %w", method, path, err)
		}
	}
	sleep := c.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	wait := c.Backoff
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	var last error
	for attempt := 0; attempt <= c.Retries; attempt++ {
		if attempt > 0 {
			d := wait
			var se *StatusError
			if errors.As(last, &se) && se.Status == http.StatusTooManyRequests && se.retryAfter > 0 {
				d = se.retryAfter
			} else {
				wait *= 2
			}
			if d > maxWait {
				d = maxWait
			}
			if err := sleep(ctx, d); err != nil {
				return fmt.Errorf("scim target: %s %s: %w", method, path, err)
			}
		}
		if c.Limiter != nil {
			if err := c.Limiter.Wait(ctx, sleep); err != nil {
				return fmt.Errorf("scim target: %s %s: %w", method, path, err)
			}
		}
		last = c.once(ctx, method, path, payload, out)
		if last == nil || !errors.Is(last, ErrUnavailable) || ctx.Err() != nil {
			return last
		}
	}
	return last
}

func (c *Client) once(ctx context.Context, method, path string, payload []byte, out any) error {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, rd)
	if err != nil {
		return fmt.Errorf("scim target: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/scim+json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.HTTP.Do(req)
	var refused *oauth2.RetrieveError
	if errors.As(err, &refused) && refused.Response != nil && refused.Response.StatusCode < 500 {
		// A token endpoint that refuses the client's credentials will
		// refuse them again: the run fails now instead of retrying.
		return fmt.Errorf("scim target: %s %s: %w: %w", method, path, ErrUnauthorized, err)
	}
	if err != nil {
		return fmt.Errorf("scim target: %s %s: %w: %w", method, path, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("scim target: %s %s: reading the answer: %w: %w", method, path, ErrUnavailable, err)
	}
	if resp.StatusCode >= 300 {
		se := &StatusError{Method: method, Path: path, Status: resp.StatusCode}
		var doc struct {
			ScimType string          `json:"scimType"`
			Detail   string          `json:"detail"`
			Status   json.RawMessage `json:"status"`
		}
		if json.Unmarshal(data, &doc) == nil {
			se.ScimType, se.Detail = doc.ScimType, doc.Detail
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			se.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return se
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("scim target: %s %s: decode the answer: %w", method, path, err)
		}
	}
	return nil
}

// parseRetryAfter reads Retry-After as RFC 9110 section 10.2.3 defines it:
// delay-seconds or an HTTP-date. Anything else is no hint.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// Limiter spaces requests at most Rate a second, shared by every request
// of one target.
type Limiter struct {
	Rate float64
	mu   sync.Mutex
	next time.Time
}

// Wait blocks until the next request may go.
func (l *Limiter) Wait(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	if l == nil || l.Rate <= 0 {
		return nil
	}
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(time.Duration(float64(time.Second) / l.Rate))
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		return sleep(ctx, d)
	}
	return nil
}

// escapeFilterValue quotes a value for a SCIM filter: RFC 7644 section
// 3.4.2.2 writes string values as JSON strings, so the JSON encoder's
// escaping is exactly the escaping a filter needs.
func escapeFilterValue(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}
