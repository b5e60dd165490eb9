package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// Spec is what an operator gives to subscribe.
type Spec struct {
	Name        string   `json:"name"`
	URL         string   `json:"url"`
	Kinds       []string `json:"kinds,omitempty"`
	Connections []string `json:"connections,omitempty"`
}

// Problem is one thing wrong with a Spec, naming its field.
type Problem struct {
	Field string
	Msg   string
}

// ValidationError lists every problem of a Spec at once.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Field + ": " + p.Msg
	}
	return "webhook: " + strings.Join(msgs, "; ")
}

// Validate checks a Spec. A URL must be https, so that deliveries (and the
// personal data in them) travel encrypted to a verified server; plain http
// is accepted only to a loopback address and only when allowLoopbackHTTP
// is set, which tests do.
func (s Spec) Validate(allowLoopbackHTTP bool) error {
	var ps []Problem
	add := func(f, format string, args ...any) { ps = append(ps, Problem{f, fmt.Sprintf(format, args...)}) }
	if strings.TrimSpace(s.Name) == "" {
		add("name", "is required")
	} else if len(s.Name) > 100 || strings.ContainsAny(s.Name, "\x00\r\n\t") {
		add("name", "must be at most 100 characters without control characters")
	}
	u, err := url.Parse(s.URL)
	switch {
	case s.URL == "":
		add("url", "is required")
	case err != nil || u.Host == "" || u.Opaque != "":
		add("url", "%q is not an absolute URL", s.URL)
	case u.User != nil:
		add("url", "must not carry a user name or password; the signature authenticates deliveries")
	case u.Scheme == "https":
	case u.Scheme == "http" && allowLoopbackHTTP && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		add("url", "must use https, so that deliveries are encrypted and the server verified")
	default:
		add("url", "scheme %q is not https", u.Scheme)
	}
	for _, k := range s.Kinds {
		if !slices.Contains(store.EventKinds, k) {
			add("kinds", "unknown event kind %q (want %s)", k, strings.Join(store.EventKinds, ", "))
		}
	}
	for _, c := range s.Connections {
		if strings.TrimSpace(c) == "" {
			add("connections", "a connection name is empty")
		}
	}
	if len(ps) > 0 {
		return &ValidationError{ps}
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewSecret returns a fresh signing secret: 32 random bytes, printed once
// to the operator and stored only sealed.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("webhook: secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Selects reports whether a subscription wants an event.
func Selects(w store.Webhook, kind, conn string) bool {
	return (len(w.Kinds) == 0 || slices.Contains(w.Kinds, kind)) &&
		(len(w.Connections) == 0 || slices.Contains(w.Connections, conn))
}
