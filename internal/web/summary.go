package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// summaryItem is one problem in the summary at the top of a form: the id
// of the control at fault (empty for the form as a whole), its label and
// the message.
type summaryItem struct {
	Target, Label, Msg string
}

// formFields lists the connection form's fields in the order the page
// shows them, with the id of their control and their label.
var formFields = []struct{ field, id, label string }{
	{"", "", ""},
	{"directoryType", "directoryType", "Directory Type"},
	{"systemType", "systemType", "System Type"},
	{"name", "name", "Name"},
	{"friendlyName", "friendlyName", "Friendly Name"},
	{"dnsName", "dnsName", "DNS Name"},
	{"port", "port", "Port"},
	{"security", "security", "Security"},
	{"tlsSkipVerify", "tlsSkipVerify", "Skip TLS verification"},
	{"caCertificate", "caCertificate", "CA certificate"},
	{"username", "username", "User name"},
	{"password", "password", "Password"},
	{"searchPath", "searchPath", "LDAP Search Path"},
	{"searchFilter", "searchFilter", "LDAP Search Filter"},
	{"linkingKey", "linkingKey", "LDAP to IDMS Linking Key"},
	{"ruleCriteriaAttribute", "ruleCriteriaAttribute", "LDAP Rule Criteria Attribute"},
	{"configureTwo", "configureTwo", "Advanced UPN Sync Settings"},
	{"manualAssignments", "manualAssignments", "Manual assignments"},
	{"pageSize", "pageSize", "Page size"},
	{"deletionGuard.maxCount", "guardMaxCount", "Deletion guard: most deactivations"},
	{"deletionGuard.maxPercent", "guardMaxPercent", "Deletion guard: most % of active users"},
}

// Summary lists every problem of a failed Update, Add or Preview in the
// order of the page, so that the page can show them at its top.
func (f connForm) Summary() []summaryItem {
	var out []summaryItem
	seen := map[string]bool{}
	for _, ff := range formFields {
		if msg, ok := f.Errors[ff.field]; ok {
			seen[ff.field] = true
			out = append(out, summaryItem{Target: ff.id, Label: ff.label, Msg: msg})
		}
	}
	var rest []string
	for field := range f.Errors {
		if !seen[field] {
			rest = append(rest, field)
		}
	}
	sort.Strings(rest)
	for _, field := range rest {
		out = append(out, summaryItem{Label: field, Msg: f.Errors[field]})
	}
	if f.M != nil {
		for _, s := range mappingSections {
			for _, msg := range f.M.Errors[s] {
				out = append(out, summaryItem{Target: s, Label: sectionTitle(s), Msg: strings.TrimPrefix(msg, s+": ")})
			}
		}
		if f.M.PreviewError != "" {
			out = append(out, summaryItem{Target: "preview-error", Label: "Preview", Msg: f.M.PreviewError})
		}
	}
	return out
}

func sectionTitle(s string) string {
	return strings.TrimSuffix(funcs["sectionLabel"].(func(string) string)(s), " (JSON)")
}

// jsonProblem says where in text a JSON decoding error is, by line and
// column, and what it is, without the decoder's "json: " prefix.
func jsonProblem(text string, err error, offset int64) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		offset = se.Offset
	case errors.As(err, &te):
		offset = te.Offset
	}
	if offset > int64(len(text)) {
		offset = int64(len(text))
	}
	line, col := 1, 1
	for _, r := range text[:max(offset, 0)] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %s", line, col, strings.TrimPrefix(err.Error(), "json: "))
}
