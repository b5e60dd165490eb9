package sqlite

import (
	"encoding/json"
	"slices"
)

// appendFieldsJSON appends the JSON object of a user's fields, byte for
// byte what json.Marshal gives for the map (keys sorted, the same
// escaping), to dst. encoding/json reflected over every map of every
// created user, about a tenth of a full sync's CPU; here only strings
// that need escaping go through it.
func appendFieldsJSON(dst []byte, m map[string]string) ([]byte, error) {
	var keysBuf [32]string
	keys := keysBuf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = appendJSONString(dst, k); err != nil {
			return nil, err
		}
		dst = append(dst, ':')
		if dst, err = appendJSONString(dst, m[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// appendJSONString appends s as a JSON string: printable ASCII that
// encoding/json leaves alone is copied, anything else is left to it.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, err := json.Marshal(s)
			if err != nil {
				return nil, err
			}
			return append(dst, b...), nil
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), nil
}
