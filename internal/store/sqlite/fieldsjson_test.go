package sqlite

import (
	"encoding/json"
	"testing"
)

func TestAppendFieldsJSONMatchesMarshal(t *testing.T) {
	maps := []map[string]string{
		nil,
		{},
		{"name": "Ada Lovelace", "email": "ada@example.com", "department": "R&D", "title": "<b>"},
		{"a": "quote \" backslash \\ tab \t nl \n nul \x00", "é": "Zoë ünïcode", "z": "\u2028\u2029", "bad": "\xff\xfe"},
		{"Custom1": "", "Custom10": "x", "Custom2": "y", "del": "\x7f"},
	}
	for _, m := range maps {
		want, err := json.Marshal(nonNil(m))
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendFieldsJSON(nil, nonNil(m))
		if err != nil || string(got) != string(want) {
			t.Errorf("appendFieldsJSON(%q) = %s, %v; json.Marshal gives %s", m, got, err, want)
		}
	}
}

func FuzzAppendFieldsJSON(f *testing.F) {
	f.Add("k", "v", "k2", "<&>\"")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m := map[string]string{k1: v1, k2: v2}
		want, _ := json.Marshal(m)
		got, err := appendFieldsJSON(nil, m)
		if err != nil || string(got) != string(want) {
			t.Fatalf("got %s, %v; want %s", got, err, want)
		}
	})
}
