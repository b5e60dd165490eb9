// Package mapping turns directory entries into application fields: mapping
// records (source attribute → application field), the baseline sets that
// reproduce the seeds' tables, and the per-field policies.
package mapping

import (
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/directory"
)

// FieldUserID is the application field that identifies a user. Every mapping
// set must fill it.
const FieldUserID = "userId"

// Mapping is one mapping record: a directory attribute feeds an application
// field. Several records may share a source (seed 003: one LDAP field may
// feed both Name and Full Name).
type Mapping struct {
	Source string `json:"source"`
	Target string `json:"target"`
}

// Set is the mapping records of one connection.
type Set struct {
	Mappings []Mapping `json:"mappings"`
}

// Field is one mapped application field.
type Field struct {
	Name  string
	Value string
}

// Attributes lists the directory attributes the set reads, so that a search
// asks for exactly those.
func (s Set) Attributes() []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range s.Mappings {
		k := strings.ToLower(m.Source)
		if !seen[k] {
			seen[k] = true
			out = append(out, m.Source)
		}
	}
	return out
}

// Map applies the set to one entry. It returns the userId and the other
// fields in mapping order; fields whose source is missing or empty are left
// out, so that an empty directory value does not clear an application field
// (seed 004's behaviour).
func (s Set) Map(e *directory.Entry, out []Field) (userID string, fields []Field) {
	fields = out[:0]
	for _, m := range s.Mappings {
		v := e.Get(m.Source)
		if v == "" {
			continue
		}
		if m.Target == FieldUserID {
			userID = v
			continue
		}
		fields = append(fields, Field{Name: m.Target, Value: v})
	}
	return userID, fields
}

// Validate reports every problem with the set at once: the user ID is
// mandatory (seed 003), and every record needs a source and a target.
func (s Set) Validate() error {
	var probs []string
	hasUserID := false
	for i, m := range s.Mappings {
		if m.Source == "" {
			probs = append(probs, fmt.Sprintf("mappings[%d].source: is required", i))
		}
		if m.Target == "" {
			probs = append(probs, fmt.Sprintf("mappings[%d].target: is required", i))
		}
		if m.Target == FieldUserID {
			hasUserID = true
		}
	}
	if !hasUserID {
		probs = append(probs, "mappings: no mapping fills the mandatory field userId")
	}
	if len(probs) > 0 {
		return fmt.Errorf("mapping: %s", strings.Join(probs, "; "))
	}
	return nil
}

// Fingerprint identifies the set's content, so that a changed mapping makes
// every user's hash change and the next run re-evaluates everyone.
func (s Set) Fingerprint() string {
	var sb strings.Builder
	for _, m := range s.Mappings {
		sb.WriteString(m.Source)
		sb.WriteByte(0)
		sb.WriteString(m.Target)
		sb.WriteByte(0)
	}
	return sb.String()
}
