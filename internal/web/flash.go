package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Flash kinds: what a page shows after a form posted and redirected.
const (
	flashDone  = "done"  // a success message
	flashError = "error" // a failure message
)

// flash is a message shown once after a redirect. Its text is written by
// the server and kept server-side; the redirect carries only a random id,
// so that no text given in a link can appear in the application's alerts.
type flash struct {
	Kind string
	Text string
}

// keptTTL is how long a kept value (a flash, or a password kept for the
// retry of a form) stays available.
const keptTTL = 15 * time.Minute

// maxKept bounds the memory kept values use: beyond it, the oldest go.
const maxKept = 4096

// keptEntry is a value kept for one session.
type keptEntry struct {
	owner   string // the session's IDHash
	flash   flash
	secret  string
	expires time.Time
}

// keptValues holds short-lived values for the session that made them,
// looked up by a random id: flash messages and passwords kept for a retry.
// A value is never given to another session.
type keptValues struct {
	mu    sync.Mutex
	byID  map[string]keptEntry
	order []string
}

func newKeptValues() *keptValues { return &keptValues{byID: map[string]keptEntry{}} }

// put stores e and returns its new id.
func (k *keptValues) put(e keptEntry) string {
	id := randomToken(16)
	e.expires = time.Now().Add(keptTTL)
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	for len(k.order) > 0 {
		old, ok := k.byID[k.order[0]]
		if ok && len(k.order) < maxKept && now.Before(old.expires) {
			break
		}
		delete(k.byID, k.order[0])
		k.order = k.order[1:]
	}
	k.byID[id] = e
	k.order = append(k.order, id)
	return id
}

// get returns the value id holds for owner.
func (k *keptValues) get(owner, id string) (keptEntry, bool) {
	if owner == "" || id == "" {
		return keptEntry{}, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.byID[id]
	if !ok || e.owner != owner || time.Now().After(e.expires) {
		return keptEntry{}, false
	}
	return e, true
}

// take returns the value id holds for owner and forgets it.
func (k *keptValues) take(owner, id string) (keptEntry, bool) {
	e, ok := k.get(owner, id)
	if ok {
		k.mu.Lock()
		delete(k.byID, id)
		k.mu.Unlock()
	}
	return e, ok
}

// sessionOwner is the key kept values are stored under for r's session.
func sessionOwner(r *http.Request) string {
	if p := principalOf(r); p.session != nil {
		return p.session.IDHash
	}
	return ""
}

// redirectFlash redirects to target with a flash message for the next page.
func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, target, kind, text string) {
	if owner := sessionOwner(r); owner != "" {
		id := s.kept.put(keptEntry{owner: owner, flash: flash{Kind: kind, Text: text}})
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "flash=" + url.QueryEscape(id)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// flashOf returns the flash message r's "flash" parameter names, if it
// belongs to r's session. Reloading the page shows it again until it
// expires.
func (s *Server) flashOf(r *http.Request) flash {
	e, _ := s.kept.get(sessionOwner(r), r.URL.Query().Get("flash"))
	return e.flash
}

// flashText returns the text of r's flash message if it is of kind.
func (s *Server) flashText(r *http.Request, kind string) string {
	if f := s.flashOf(r); f.Kind == kind {
		return f.Text
	}
	return ""
}
