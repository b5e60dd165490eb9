package store

import "strings"

// Redacted replaces the old and new values of a secret field in the run
// history.
const Redacted = "[redacted]"

// secretWords mark a field whose values must never be recorded.
var secretWords = []string{"password", "passwd", "pwd", "secret", "token", "credential", "apikey", "privatekey"}

// separators are dropped from a field's name before it is compared, so that
// api_key and api-key read as apikey. Built once: building a Replacer costs
// more than using it, and every outcome of a sync asks about every change.
var separators = strings.NewReplacer("_", "", "-", "", ".", "")

// IsSecretField reports whether a field's name says it holds a secret
// (password, secret, token and the like, in any case).
func IsSecretField(name string) bool {
	n := separators.Replace(strings.ToLower(name))
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactChanges returns changes with the values of secret fields replaced by
// Redacted, so that the run history never holds them.
// The slice is copied only when something is redacted.
func RedactChanges(changes []FieldChange) []FieldChange {
	var out []FieldChange
	for i, c := range changes {
		if !IsSecretField(c.Field) {
			continue
		}
		if out == nil {
			out = append([]FieldChange(nil), changes...)
		}
		if out[i].Old != "" {
			out[i].Old = Redacted
		}
		out[i].New = Redacted
	}
	if out == nil {
		return changes
	}
	return out
}
