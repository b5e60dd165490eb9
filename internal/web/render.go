package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// timeLayout shows a time with its zone, so that no time on a page can be
// read in the wrong one.
const timeLayout = "2006-01-02 15:04:05 MST"

// pages holds one parsed template set per page, each the layout plus the
// page's own file.
type pages struct {
	sets map[string]*template.Template
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format(timeLayout)
	},
	"whenp": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Local().Format(timeLayout)
	},
	// zone names the server's time zone, in which every time is shown.
	"zone":            func() string { return time.Local.String() },
	"add":             func(a, b int) int { return a + b },
	"mappingSections": func() []string { return mappingSections },
	"sectionLabel": func(s string) string {
		return map[string]string{"mappings": "Mappings (JSON)", "scope": "Scope (JSON)", "template": "Template (JSON)", "leavePolicy": "Leave policy (JSON)"}[s]
	},
	"source":    membershipSource,
	"attention": needsAttention,
	"ms": func(ms int64) string {
		return (time.Duration(ms) * time.Millisecond).Round(time.Millisecond).String()
	},
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	// The layout and the shared partials (files starting with "_") are in
	// every page's set.
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Title string
	Nav   string
	Admin string
	CSRF  string
	// Flash is the kind of the server-side flash message the request's
	// "flash" parameter names, or "".
	Flash string
	// Role is the administrator's role, to leave out what they cannot do.
	Role string
	// NavItems is the main navigation.
	NavItems []navItem
	D        any
}

// render executes a page into a buffer first, so that a template error
// never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t := s.pages.sets[name]
	if t == nil {
		s.pageError(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	p := principalOf(r)
	v := view{Title: title, Nav: navOf(name), Admin: p.admin, D: data, Flash: s.flashOf(r).Kind, Role: p.role, NavItems: navItems}
	if p.session != nil {
		v.CSRF = p.session.CSRFToken
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func navOf(page string) string {
	for _, prefix := range []string{"connection", "run", "user"} {
		if strings.HasPrefix(page, prefix) {
			return prefix + "s"
		}
	}
	return page
}

// pageError shows an error page with the status classify gives.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status, e := classify(err)
	if status >= 500 && status != http.StatusBadGateway {
		s.log.Error("page failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, r, status, "error", http.StatusText(status), e)
}
