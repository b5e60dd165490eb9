package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/usersync/usersync/internal/store"
)

// storeMessage writes a not-found or conflict error for the administrator.
// A store error reads "sqlite: site \"Berlin\": conflict"; the administrator
// reads "Site \"Berlin\" already exists." The names of the store and of the
// layers an error passed through are internal and are left out.
func storeMessage(err, sentinel error) string {
	msg := err.Error()
	i := strings.LastIndex(msg, ": "+sentinel.Error())
	if i < 0 {
		return sentence(withoutLayers(msg))
	}
	parts := strings.Split(msg[:i], ": ")
	if n := len(parts); n >= 2 && isStoreName(parts[n-2]) {
		subject := spaceWords(parts[n-1])
		if errors.Is(sentinel, store.ErrNotFound) {
			return sentence(subject + " does not exist")
		}
		return sentence(subject + " already exists")
	}
	if errors.Is(sentinel, store.ErrNotFound) {
		return sentence(withoutLayers(msg[:i]) + " was not found")
	}
	return sentence(withoutLayers(msg[:i]))
}

// spaceWords writes the camel-cased name of a kind that starts subject as
// words: "permissionSet \"Auditors\"" reads "permission set \"Auditors\"".
func spaceWords(subject string) string {
	word, rest, _ := strings.Cut(subject, " ")
	if strings.ContainsAny(word, "\"'=,") {
		return subject
	}
	var b strings.Builder
	for i, r := range word {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	if rest == "" {
		return b.String()
	}
	return b.String() + " " + rest
}

func isStoreName(s string) bool { return s == "sqlite" || s == "postgres" }

// withoutLayers drops the "sqlite: ", "app: " and similar prefixes that
// name the code an error passed through.
func withoutLayers(msg string) string {
	var keep []string
	for _, p := range strings.Split(msg, ": ") {
		switch p {
		case "sqlite", "postgres", "app", "web", "store", "writeback", "reconcile":
			continue
		}
		keep = append(keep, p)
	}
	return strings.Join(keep, ": ")
}

// sentence starts msg with a capital letter and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// runErrorText is a run's error as its page shows it. The deletion guard's
// error tells a CLI user which commands approve or reject the run; the
// page has buttons for that while the run is held, and says what happened
// once it was decided.
func runErrorText(r store.Run) string {
	msg := r.Error
	if i := strings.Index(msg, "; approve with `"); i >= 0 {
		msg = msg[:i]
	}
	switch r.Status {
	case store.RunAwaitingApproval:
		return ""
	case store.RunRejected:
		return "Rejected: nobody was deactivated or deleted. The run was held because " + strings.TrimPrefix(msg, "deletion guard: run held for approval: ") + "."
	}
	return msg
}

// notFoundPage is the answer to a path no route serves: the error page
// with the layout for a browser, a JSON error under /api/.
func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusNotFound, apiError{Code: "not_found", Message: "There is no such API endpoint: " + r.Method + " " + logValue(r.URL.Path) + "."})
		return
	}
	s.render(w, r, http.StatusNotFound, "error", "Page not found", apiError{Code: "not_found", Message: "There is no page at this address. Use the menu to find what you were looking for."})
}
