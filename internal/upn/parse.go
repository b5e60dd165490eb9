package upn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Paths of the document's keys, used in FieldError.Field.
const (
	pathSchemaVersion = "schemaVersion"
	pathMailFallback  = "mailFallbackOnMissingUpn"
	pathSync          = "syncUpnToAdAttribute"
)

// Parse reads a configureTwo document. An empty (or all white space) string
// yields Default(), as does every missing key. Parse rejects unknown keys,
// values of the wrong JSON type and values Validate rejects, reporting all of
// them at once as FieldErrors. On error the returned Config holds whatever
// could be read, so a form can still be pre-populated.
func Parse(s string) (Config, error) {
	cfg := Default()
	if strings.TrimSpace(s) == "" {
		return cfg, nil
	}
	var errs FieldErrors
	top, ok := object(json.RawMessage(s), "", &errs)
	if !ok {
		return cfg, errs.err()
	}
	for _, key := range sortedKeys(top) {
		raw := top[key]
		switch key {
		case pathSchemaVersion:
			readInt(raw, key, &cfg.SchemaVersion, &errs)
		case pathMailFallback:
			parseMailFallback(raw, &cfg.MailFallbackOnMissingUpn, &errs)
		case pathSync:
			parseSync(raw, &cfg.SyncUpnToAdAttribute, &errs)
		default:
			errs.add(key, "unknown key")
		}
	}
	errs = append(errs, validate(cfg)...)
	return cfg, errs.err()
}

// parseMailFallback reads the mailFallbackOnMissingUpn object.
func parseMailFallback(raw json.RawMessage, m *MailFallback, errs *FieldErrors) {
	obj, ok := object(raw, pathMailFallback, errs)
	if !ok {
		return
	}
	for _, key := range sortedKeys(obj) {
		path := pathMailFallback + "." + key
		switch key {
		case "enabled":
			readBool(obj[key], path, &m.Enabled, errs)
		default:
			errs.add(path, "unknown key")
		}
	}
}

// parseSync reads the syncUpnToAdAttribute object.
func parseSync(raw json.RawMessage, s *SyncSettings, errs *FieldErrors) {
	obj, ok := object(raw, pathSync, errs)
	if !ok {
		return
	}
	for _, key := range sortedKeys(obj) {
		path := pathSync + "." + key
		v := obj[key]
		switch key {
		case "enabled":
			readBool(v, path, &s.Enabled, errs)
		case "targetAttribute":
			readString(v, path, &s.TargetAttribute, errs)
		case "multiValued":
			readBool(v, path, &s.MultiValued, errs)
		case "valueFormat":
			var str string
			if readString(v, path, &str, errs) {
				s.ValueFormat = ValueFormat(str)
			}
		case "prefix":
			readString(v, path, &s.Prefix, errs)
		case "lowercase":
			readBool(v, path, &s.Lowercase, errs)
		case "skipIfAlreadyPresent":
			readBool(v, path, &s.SkipIfAlreadyPresent, errs)
		case "treatPrefixVariantsAsDuplicates":
			readBool(v, path, &s.TreatPrefixVariantsAsDuplicates, errs)
		case "onWriteFailure":
			var str string
			if readString(v, path, &str, errs) {
				s.OnWriteFailure = OnWriteFailure(str)
			}
		default:
			errs.add(path, "unknown key")
		}
	}
}

// object decodes raw as a JSON object, recording a problem at path when it
// is not one.
func object(raw json.RawMessage, path string, errs *FieldErrors) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if isNull(raw) {
		errs.add(path, "must be an object, not null")
		return nil, false
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		if path == "" {
			errs.add(path, fmt.Sprintf("not a JSON object: %v", err))
		} else {
			errs.add(path, "must be an object, not "+jsonKind(raw))
		}
		return nil, false
	}
	return obj, true
}

// readBool decodes a JSON boolean into dst.
func readBool(raw json.RawMessage, path string, dst *bool, errs *FieldErrors) {
	if isNull(raw) || json.Unmarshal(raw, dst) != nil {
		errs.add(path, "must be a boolean, not "+jsonKind(raw))
	}
}

// readString decodes a JSON string into dst and reports whether it could.
func readString(raw json.RawMessage, path string, dst *string, errs *FieldErrors) bool {
	if isNull(raw) || json.Unmarshal(raw, dst) != nil {
		errs.add(path, "must be a string, not "+jsonKind(raw))
		return false
	}
	return true
}

// readInt decodes a JSON integer into dst.
func readInt(raw json.RawMessage, path string, dst *int, errs *FieldErrors) {
	var n json.Number
	if isNull(raw) || json.Unmarshal(raw, &n) != nil {
		errs.add(path, "must be an integer, not "+jsonKind(raw))
		return
	}
	i, err := n.Int64()
	if err != nil {
		errs.add(path, fmt.Sprintf("must be an integer, not %s", n))
		return
	}
	*dst = int(i)
}

// isNull reports whether raw is the JSON literal null.
func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// jsonKind names the JSON type of raw for error messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// keyOrder is the document's key order; Parse reports problems in this order
// so that messages are stable, with unknown keys last in alphabetical order.
var keyOrder = []string{
	pathSchemaVersion, pathMailFallback, pathSync,
	"enabled", "targetAttribute", "multiValued", "valueFormat", "prefix",
	"lowercase", "skipIfAlreadyPresent", "treatPrefixVariantsAsDuplicates",
	"onWriteFailure",
}

// sortedKeys returns obj's keys in keyOrder, unknown keys last.
func sortedKeys(obj map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(keyOrder, k); i >= 0 {
			return i
		}
		return len(keyOrder)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return keys
}
