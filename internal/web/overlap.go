package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/connection"
)

// sourcesOverlap reports whether two source connections read the same
// entries: the same server and port, one search path equal to or under the
// other, and filters that select the same entries (the same filter, or one
// that selects every entry). Each would create its own copy of every user
// both read.
func sourcesOverlap(a, b connection.Connection) bool {
	if a.DirectoryType != connection.DirectorySource || b.DirectoryType != connection.DirectorySource || a.Name == b.Name {
		return false
	}
	host := func(c connection.Connection) string {
		return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(c.DNSName)), ".")
	}
	if host(a) != host(b) || a.Port != b.Port {
		return false
	}
	return pathsOverlap(a.SearchPath, b.SearchPath) && filtersOverlap(a.SearchFilter, b.SearchFilter)
}

// pathsOverlap reports whether one DN is the other or an ancestor of it,
// compared as LDAP compares DNs (case and spacing do not count).
func pathsOverlap(a, b string) bool {
	da, err := ldap.ParseDN(a)
	if err != nil {
		return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
	}
	db, err := ldap.ParseDN(b)
	if err != nil {
		return false
	}
	return da.EqualFold(db) || da.AncestorOfFold(db) || db.AncestorOfFold(da)
}

// filtersOverlap reports whether two filters are known to select the same
// entries: equal but for case and spacing, or one of them selects every
// entry. Other filters may overlap too, but that cannot be told without
// reading the directory.
func filtersOverlap(a, b string) bool {
	norm := func(f string) string { return strings.ToLower(strings.Join(strings.Fields(f), "")) }
	all := func(f string) bool { return f == "" || f == "(objectclass=*)" }
	na, nb := norm(a), norm(b)
	return na == nb || all(na) || all(nb)
}

// overlapWarnings lists, for connection c, each other source connection
// that reads the same users.
func (s *Server) overlapWarnings(ctx context.Context, c connection.Connection) ([]string, error) {
	all, err := s.app.Store.ListConnections(ctx)
	if err != nil {
		return nil, err
	}
	return overlapsIn(c, all), nil
}

func overlapsIn(c connection.Connection, all []connection.Connection) []string {
	var out []string
	for _, o := range all {
		if sourcesOverlap(c, o) {
			out = append(out, fmt.Sprintf("Connection %q reads the same directory (%s:%d) under an overlapping search path (%s) with the same filter: each would create its own copy of every user both find. Narrow one search path or filter, or remove one connection.",
				o.Name, o.DNSName, o.Port, o.SearchPath))
		}
	}
	return out
}

// overlapsByName maps each connection's name to its overlap warnings.
func overlapsByName(all []connection.Connection) map[string][]string {
	out := map[string][]string{}
	for _, c := range all {
		if w := overlapsIn(c, all); len(w) > 0 {
			out[c.Name] = w
		}
	}
	return out
}

// setWarningHeaders adds each warning to an API response as a Warning
// header (code 299, a persistent warning), so that the body stays the
// connection document.
func setWarningHeaders(w http.ResponseWriter, warnings []string) {
	for _, text := range warnings {
		w.Header().Add("Warning", "299 usersync "+strconv.QuoteToASCII(text))
	}
}
