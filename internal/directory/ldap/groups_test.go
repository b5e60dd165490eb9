package ldap

import (
	"reflect"
	"testing"

	"github.com/usersync/usersync/internal/directory"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		name   string
		base   string
		lo, hi int
		ok     bool
	}{
		{"member;range=0-1499", "member", 0, 1499, true},
		{"member;range=1500-*", "member", 1500, -1, true},
		{"member", "member", 0, 0, false},
		{"member;range=x-1", "member;range=x-1", 0, 0, false},
	}
	for _, tt := range tests {
		base, lo, hi, ok := parseRange(tt.name)
		if base != tt.base || lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("parseRange(%q) = %q %d %d %v", tt.name, base, lo, hi, ok)
		}
	}
}

func TestMergeRanges(t *testing.T) {
	e := &directory.Entry{DN: "cn=g", Attrs: map[string][]string{"cn": {"g"}, "member;range=0-1": {"a", "b"}}}
	if mergeRanges(e) {
		t.Fatal("an entry with an open range reported complete")
	}
	if !reflect.DeepEqual(e.Attrs["member"], []string{"a", "b"}) || e.Attrs[rangeKey("member")][0] != "2" {
		t.Fatalf("attrs = %q", e.Attrs)
	}
	e = &directory.Entry{DN: "cn=g", Attrs: map[string][]string{"member;range=0-*": {"a"}}}
	if !mergeRanges(e) || !reflect.DeepEqual(e.Attrs, map[string][]string{"member": {"a"}}) {
		t.Fatalf("closed range: attrs = %q", e.Attrs)
	}
}
