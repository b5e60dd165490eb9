package connection

import (
	"strings"
	"testing"
)

func TestGroupSettings(t *testing.T) {
	off := false
	tests := []struct {
		name    string
		edit    func(*Connection)
		base    string
		wantErr string
	}{
		{"defaults", func(*Connection) {}, "dc=example,dc=com", ""},
		{"own group path", func(c *Connection) { c.GroupSearchPath = "ou=groups,dc=example,dc=com" }, "ou=groups,dc=example,dc=com", ""},
		{"no dc components", func(c *Connection) { c.SearchPath = "o=corp" }, "o=corp", ""},
		{"bad membership", func(c *Connection) { c.GroupMembership = "memberof2" }, "dc=example,dc=com", "groupMembership"},
		{"bad parent", func(c *Connection) { c.ParentGroup = "APM" }, "dc=example,dc=com", "parentGroup"},
		{"bad filter", func(c *Connection) { c.GroupSearchFilter = "(cn=" }, "dc=example,dc=com", "groupSearchFilter"},
		{"status rule without rules", func(c *Connection) { c.GroupRules = &off; c.GroupStatusRule = true }, "dc=example,dc=com", "groupStatusRule"},
		{"keep manual assignments", func(c *Connection) { c.ManualAssignments = ManualKeep }, "dc=example,dc=com", ""},
		{"overwrite manual assignments", func(c *Connection) { c.ManualAssignments = ManualOverwrite }, "dc=example,dc=com", ""},
		{"bad manual assignments", func(c *Connection) { c.ManualAssignments = "Overwrite " }, "dc=example,dc=com",
			`manualAssignments: must be "keep" (the default) or "overwrite", got "Overwrite "`},
		{"overwrite without rules", func(c *Connection) { c.GroupRules = &off; c.ManualAssignments = ManualOverwrite }, "dc=example,dc=com",
			`manualAssignments: "overwrite" needs group rules`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Connection{Name: "corp", DNSName: "ldap", SearchPath: "ou=people,dc=example,dc=com"}
			c.ApplyDefaults()
			tt.edit(&c)
			if got := c.GroupBase(); !strings.EqualFold(got, tt.base) {
				t.Errorf("GroupBase() = %q, want %q", got, tt.base)
			}
			err := c.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want a problem with %s", err, tt.wantErr)
			}
		})
	}
	if !(Connection{}).GroupRulesOn() || (Connection{}).AdminGroupName() != DefaultAdminGroup {
		t.Fatal("group rules must be on by default with the Administrator group")
	}
}
