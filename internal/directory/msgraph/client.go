package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/directory"
)

// Config says how to reach Graph and what to read.
type Config struct {
	// GraphURL is the Graph endpoint without the version, such as
	// https://graph.microsoft.com.
	GraphURL string
	// Token returns an access token for Graph (the app's client
	// credentials); it is asked before every request and may cache.
	Token func(ctx context.Context) (string, error)
	// Refresh, when set, returns a new access token, never a cached one:
	// a request Graph answers 401 (the token expired or was revoked) is
	// sent once more with it.
	Refresh func(ctx context.Context) (string, error)
	// HTTP is the client requests go through; http.DefaultClient when nil.
	HTTP *http.Client
	// PageSize asks Graph for pages of this many objects (the
	// odata.maxpagesize preference); Graph's default when zero.
	PageSize int
	// IncludeGuests reads guest users too; otherwise a guest is absent
	// from full reads and leaves in incremental ones.
	IncludeGuests bool
	// Match, when set, keeps only the users it accepts (the connection's
	// filter, which Graph's delta query cannot apply).
	Match func(e *directory.Entry) bool
	// Waiting, when set, is told each time Graph asks the client to wait
	// (429 or 503 with Retry-After) before the wait starts.
	Waiting func(d time.Duration, why string)
	// MaxRetries bounds the waits for one request; 8 when zero.
	MaxRetries int
	// MaxWait caps one Retry-After wait; 5 minutes when zero.
	MaxWait time.Duration
}

// Errors a Graph read can end with.
var (
	// ErrGraph is wrapped by every error Graph answered with.
	ErrGraph = errors.New("graph")
	// ErrUnreachable is wrapped when Graph could not be reached at all.
	ErrUnreachable = errors.New("graph unreachable")
)

// APIError is an error response from Graph: the HTTP status and the error
// object's code and message (Microsoft Graph error responses).
type APIError struct {
	Status  int
	Code    string
	Message string
	URL     string
	// retryAfter is the Retry-After header's wait, when there was one.
	retryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("graph: %s answered HTTP %d", e.URL, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap lets errors.Is(err, ErrGraph) match.
func (e *APIError) Unwrap() error { return ErrGraph }

// expiredCodes are the error codes with which Graph says a delta or skip
// token can no longer be used, and a full read must start again
// (delta-query-overview: synchronization reset).
var expiredCodes = map[string]bool{
	"syncStateNotFound": true, "syncStateInvalid": true, "resyncRequired": true,
	"resyncChangesApplied": true, "resyncChangesNotApplied": true,
}

// tokenExpired says whether an answer means the token must be dropped.
func (e *APIError) tokenExpired() bool {
	return e.Status == http.StatusGone || expiredCodes[e.Code]
}

// page is one response of a delta query.
type page struct {
	NextLink  string            `json:"@odata.nextLink"`
	DeltaLink string            `json:"@odata.deltaLink"`
	Value     []json.RawMessage `json:"value"`
}

// get fetches one URL, waiting out 429 and 503 answers as Retry-After
// says, and decodes the JSON body into out.
func (r *Reader) get(ctx context.Context, link string, out any) error {
	max := r.cfg.MaxRetries
	if max == 0 {
		max = 8
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		err := r.getOnce(ctx, link, out)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && !refreshed && r.cfg.Refresh != nil {
			refreshed = true
			tok, rerr := r.cfg.Refresh(ctx)
			if rerr != nil {
				return rerr
			}
			r.fresh = tok
			continue
		}
		if !errors.As(err, &ae) || (ae.Status != http.StatusTooManyRequests && ae.Status != http.StatusServiceUnavailable) || attempt >= max {
			return err
		}
		d := r.retryAfter(ae, attempt)
		why := fmt.Sprintf("Graph answered HTTP %d", ae.Status)
		if ae.Status == http.StatusTooManyRequests {
			why += " (throttled)"
		}
		if r.cfg.Waiting != nil {
			r.cfg.Waiting(d, why)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("graph: waiting %s after %s: %w", d, why, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// retryAfter is how long to wait: Retry-After in seconds when Graph sent
// it (throttling guidance), otherwise an exponential back-off.
func (r *Reader) retryAfter(ae *APIError, attempt int) time.Duration {
	limit := r.cfg.MaxWait
	if limit == 0 {
		limit = 5 * time.Minute
	}
	d := time.Duration(1<<min(attempt, 6)) * time.Second
	if ae.retryAfter > 0 {
		d = ae.retryAfter
	}
	return min(d, limit)
}

func (r *Reader) getOnce(ctx context.Context, link string, out any) error {
	tok, err := r.token(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if r.cfg.PageSize > 0 {
		req.Header.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(r.cfg.PageSize))
	}
	resp, err := r.http().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("graph: GET %s: %w", redact(link), context.Cause(ctx))
		}
		return fmt.Errorf("%w: GET %s: %w", ErrUnreachable, redact(link), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return apiError(resp, link)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("graph: GET %s: reading the response: %w", redact(link), err)
	}
	return nil
}

func apiError(resp *http.Response, link string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &env)
	ae := &APIError{Status: resp.StatusCode, Code: env.Error.Code, Message: env.Error.Message, URL: redact(link)}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			ae.retryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(s); err == nil {
			ae.retryAfter = time.Until(t)
		}
	}
	return ae
}

// redact drops the query of a link for messages: skip and delta tokens
// are bearer-like state and long.
func redact(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return "(a Graph link)"
	}
	u.RawQuery = ""
	return u.String()
}

func (r *Reader) http() *http.Client {
	if r.cfg.HTTP != nil {
		return r.cfg.HTTP
	}
	return http.DefaultClient
}

// token is the access token for the next request: the one Refresh gave
// after a 401, else Token's.
func (r *Reader) token(ctx context.Context) (string, error) {
	if r.fresh != "" {
		return r.fresh, nil
	}
	return r.cfg.Token(ctx)
}
