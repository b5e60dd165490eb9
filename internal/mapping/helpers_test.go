package mapping

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/directory"
)

// entry builds a single-valued directory entry with lower-cased attribute names, as the
// LDAP reader does.
func entry(dn string, kv ...string) *directory.Entry {
	e := &directory.Entry{DN: dn, Attrs: map[string][]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		k := strings.ToLower(kv[i])
		e.Attrs[k] = []string{kv[i+1]} // a later value replaces an earlier one
	}
	return e
}

func compile(t *testing.T, s Set) *Mapper {
	t.Helper()
	m, err := Compile(s)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

func mapEntry(t *testing.T, m *Mapper, e *directory.Entry) *Result {
	t.Helper()
	var r Result
	m.Map(e, &r)
	return &r
}

func fieldsOf(r *Result) map[string]string {
	out := map[string]string{}
	for _, f := range r.Fields {
		out[f.Name] = f.Value
	}
	return out
}

// required are the two mandatory mappings, for sets built in tests.
func required(extra ...Mapping) []Mapping {
	return append([]Mapping{{Source: "uid", Target: FieldUserID}, {Source: "cn", Target: FieldName}}, extra...)
}
