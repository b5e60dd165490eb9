package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
)

// mappingSections are the Mappings section's textareas, each holding one
// part of the mappings document as JSON.
var mappingSections = []string{"mappings", "scope", "template", "leavePolicy"}

// mappingsForm is the Mappings section of the Edit Directory page: the
// JSON texts as shown (or as posted), the errors by textarea, and the
// result of Preview (dry run).
type mappingsForm struct {
	Text           map[string]string
	Baseline       bool
	BaselineFlavor string
	Errors         map[string][]string
	Help           map[string]string
	Preview        *previewView
	PreviewError   string
}

// newMappingsForm shows c's settings, the baseline when no mappings are set.
func newMappingsForm(c connection.Connection) *mappingsForm {
	d := mappingsOf(c)
	m := &mappingsForm{Text: map[string]string{}, Baseline: d.Baseline, BaselineFlavor: d.BaselineFlavor, Errors: map[string][]string{}, Help: mappingsHelp}
	m.Text["mappings"] = indentJSON(d.Mappings)
	if d.Scope != nil {
		m.Text["scope"] = indentJSON(d.Scope)
	}
	if d.Template != nil {
		m.Text["template"] = indentJSON(d.Template)
	}
	m.Text["leavePolicy"] = indentJSON(d.LeavePolicy)
	return m
}

func indentJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// decodeStrict decodes one JSON value, refusing unknown fields.
func decodeStrict(text string, v any) error {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(text, err, dec.InputOffset())
	}
	return nil
}

// readMappingsForm sets c's mappings, scope, template and leave policy from
// the posted textareas, when the form has them. Unchanged baseline text
// keeps the baseline (no explicit mappings); an empty textarea means none.
// JSON errors are reported by textarea.
func readMappingsForm(r *http.Request, c *connection.Connection) *mappingsForm {
	m := newMappingsForm(*c)
	if _, ok := r.PostForm["mappings"]; !ok {
		return m
	}
	baseline := ""
	if m.Baseline {
		baseline = m.Text["mappings"]
	}
	for _, name := range mappingSections {
		m.Text[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	bad := func(name string, err error) {
		m.Errors[name] = append(m.Errors[name], name+": not valid JSON: "+err.Error())
	}
	switch t := m.Text["mappings"]; {
	case t == "" || (baseline != "" && compactJSON(t) == compactJSON(baseline)):
		c.Mappings = nil
	default:
		var ms []mapping.Mapping
		if err := decodeStrict(t, &ms); err != nil {
			bad("mappings", err)
		} else {
			c.Mappings, m.Baseline = ms, false
		}
	}
	c.Scope, c.Template = nil, nil
	if t := m.Text["scope"]; t != "" {
		if err := decodeStrict(t, &c.Scope); err != nil {
			bad("scope", err)
		}
	}
	if t := m.Text["template"]; t != "" {
		if err := decodeStrict(t, &c.Template); err != nil {
			bad("template", err)
		}
	}
	c.LeavePolicy = connection.LeavePolicy{Action: connection.LeaveDeactivate}
	if t := m.Text["leavePolicy"]; t != "" {
		if err := decodeStrict(t, &c.LeavePolicy); err != nil {
			bad("leavePolicy", err)
		}
	}
	return m
}

// sectionOf names the textarea a validation problem's field belongs to,
// or "" when it is not one of the Mappings section's.
func sectionOf(field string) string {
	for _, s := range mappingSections {
		if field == s || strings.HasPrefix(field, s+".") || strings.HasPrefix(field, s+"[") {
			return s
		}
	}
	return ""
}

// takeErrors puts err's problems with the Mappings section next to their
// textareas, whole ("mappings[1].expression: expr: ..."), and returns the
// others by form field.
func (m *mappingsForm) takeErrors(err error) map[string]string {
	var ve *connection.ValidationError
	if !errors.As(err, &ve) {
		return fieldErrors(err)
	}
	rest := &connection.ValidationError{}
	for _, p := range ve.Problems {
		if s := sectionOf(p.Field); s != "" {
			m.Errors[s] = append(m.Errors[s], p.Error())
		} else {
			rest.Problems = append(rest.Problems, p)
		}
	}
	if len(rest.Problems) == 0 {
		return map[string]string{}
	}
	return fieldErrors(rest)
}

// previewConnectionSubmit is Preview (dry run) on the Edit Directory page:
// a dry run with the Mappings section as posted, over the saved connection
// otherwise. It writes nothing and shows the form again as posted.
func (s *Server) previewConnectionSubmit(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.app.Store.GetConnection(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	stored := c
	errs := readConnForm(r, &c, false)
	m := readMappingsForm(r, &c)
	status := http.StatusOK
	if len(m.Errors) == 0 {
		d := mappingsDoc{Mappings: c.Mappings, Scope: c.Scope, Template: c.Template, LeavePolicy: c.LeavePolicy, Baseline: c.Mappings == nil}
		m.Preview, err = s.preview(r, c.Name, &d)
		if err != nil {
			for k, v := range m.takeErrors(err) {
				if k == "" {
					m.PreviewError = v
				} else {
					errs[k] = v
				}
			}
		}
	}
	if len(m.Errors) > 0 {
		status = http.StatusBadRequest
	}
	c.Password = ""
	f := connForm{C: c, M: m, Advanced: AdvancedSettingsAvailable(stored.DirectoryType, stored.SystemType), Errors: errs}
	s.render(w, r, status, "connection_edit", "Edit Directory", f)
	return nil
}

// mappingsHelp is the help text under each textarea.
var mappingsHelp = map[string]string{
	"mappings":    `A JSON list of {"source" or "expression", "target", "default", "policy", "strength", "clearWhenEmpty", "type", "strict", "multiValue", "separator"}; userId and displayName must be filled. Empty: the baseline.`,
	"scope":       `{"clauses": [{"attribute", "operator", "value"}], "groups": [DN...], "users": [DN...]}. Empty: everyone the filter finds.`,
	"template":    `Defaults for new users: {"timeZone", "systemOfMeasure", "culture", "language", "extensionType", "extensionTemplate", "extension"}. Empty: none.`,
	"leavePolicy": `{"action": "deactivate"}, {"action": "delete"} or {"action": "deactivateThenDelete", "afterDays": 30}.`,
}

// compactJSON removes a JSON text's layout (a browser posts a textarea
// with CRLF line ends), so that texts compare by content.
func compactJSON(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return s
	}
	return b.String()
}
