package directory

import "testing"

func TestEntryValuesAnyCase(t *testing.T) {
	e := &Entry{Attrs: map[string][]string{"displayname": {"Zoë"}, "ünïcode": {"u"}}}
	tests := []struct {
		name string
		want string
	}{
		{"displayname", "Zoë"},
		{"displayName", "Zoë"},
		{"DISPLAYNAME", "Zoë"},
		{"ÜNÏCODE", "u"},
		{"missing", ""},
		{"aVeryLongAttributeNameThatIsLongerThanTheSixtyFourByteStackBuffer", ""},
	}
	for _, tt := range tests {
		if got := e.Get(tt.name); got != tt.want {
			t.Errorf("Get(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { e.Get("displayName") }); n != 0 {
		t.Errorf("Get with a mixed-case name allocates %v times", n)
	}
}
