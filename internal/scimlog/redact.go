package scimlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Redacted replaces the value of every secret attribute in a logged body.
const Redacted = "[redacted]"

// secretAttribute reports whether a SCIM attribute name or PATCH path names
// a secret: the core schema's password, in any case, bare, under a schema
// URN ("urn:…:User:password") or as a sub-attribute ("x.password").
func secretAttribute(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	if i := strings.IndexAny(name, "["); i >= 0 {
		name = name[:i]
	}
	for _, sep := range []string{":", "."} {
		if i := strings.LastIndex(name, sep); i >= 0 {
			name = name[i+1:]
		}
	}
	return name == "password"
}

// redactBody returns the body as it may be logged: JSON with every secret
// attribute's value replaced, including PATCH operations whose path names
// one. A body that is not JSON cannot be searched for secrets, so only its
// size is logged.
func redactBody(body []byte, truncated bool) string {
	if len(bytes.TrimSpace(body)) == 0 && !truncated {
		return ""
	}
	if truncated {
		return fmt.Sprintf("(body of more than %d bytes, not logged)", len(body))
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return fmt.Sprintf("(body of %d bytes that is not JSON, not logged)", len(body))
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return fmt.Sprintf("(body of %d bytes, not logged: %v)", len(body), err)
	}
	return string(out)
}

func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		// A PATCH operation whose path is a secret carries the secret in
		// its value, whatever the value's shape.
		if secretPath(v) {
			for k := range v {
				if strings.EqualFold(k, "value") {
					v[k] = Redacted
				}
			}
		}
		for k, x := range v {
			if secretAttribute(k) {
				v[k] = Redacted
				continue
			}
			v[k] = redactValue(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = redactValue(x)
		}
		return v
	default:
		return v
	}
}

// secretPath reports whether a PATCH operation's path names a secret,
// under any spelling of "path": a body may carry several, and the
// handler's JSON decoding need not pick the one lookup picks.
func secretPath(op map[string]any) bool {
	for k, x := range op {
		if p, ok := x.(string); ok && strings.EqualFold(k, "path") && secretAttribute(p) {
			return true
		}
	}
	return false
}

// lookup returns the member of m named key in any case, as SCIM attribute
// names are case-insensitive.
func lookup(m map[string]any, key string) any {
	if x, ok := m[key]; ok {
		return x
	}
	for k, x := range m {
		if strings.EqualFold(k, key) {
			return x
		}
	}
	return nil
}
