package reconcile

import (
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/mapping/scope"
	"github.com/usersync/usersync/internal/store"
)

// TestDecide covers the shared decision rule by rule, with entries as an
// Active Directory returns them.
func TestDecide(t *testing.T) {
	m := mapping.MustCompile(mapping.Set{
		Mappings: []mapping.Mapping{
			{Source: "userPrincipalName", Target: mapping.FieldUserID},
			{Source: "displayName", Target: mapping.FieldName, ClearWhenEmpty: true},
			{Source: "mail", Target: mapping.FieldEmail, Strict: true},
		},
		Scope: &mapping.Scope{Clauses: []scope.Clause{{Attribute: "title", Operator: scope.IsNull}}},
	})
	rules := Rules{LinkingKey: "objectGUID", Flavor: directory.FlavorActiveDirectory, Mapper: m,
		Identity: Identity{UPN: true, Mode: connection.IdentityAnchor}, Locals: map[string]bool{"local@example.test": true}}
	entry := func(set ...string) *directory.Entry {
		e := &directory.Entry{DN: "CN=u,DC=example,DC=test", Attrs: map[string][]string{
			"objectguid": {"g1"}, "userprincipalname": {"u@example.test"}, "displayname": {"U"},
			"mail": {"u@example.test"}, "useraccountcontrol": {"512"}}}
		for i := 0; i+1 < len(set); i += 2 {
			if set[i+1] == "" {
				delete(e.Attrs, set[i])
			} else {
				e.Attrs[set[i]] = []string{set[i+1]}
			}
		}
		return e
	}
	tests := []struct {
		name   string
		e      *directory.Entry
		known  bool
		kind   string
		cause  string
		status string
	}{
		{"provisioned", entry(), false, KindProvision, CauseActive, store.StatusActive},
		{"no linking key", entry("objectguid", ""), false, KindSkip, CauseNoLinkingKey, ""},
		{"strict mapping fails", entry("mail", "not an email"), false, KindFail, CauseMappingFailed, ""},
		{"out of scope", entry("title", "Contractor"), true, KindOutOfScope, CauseOutOfScope, ""},
		{"no UPN", entry("userprincipalname", ""), false, KindSkip, CauseNoUserID, ""},
		{"UPN without @", entry("userprincipalname", "u"), false, KindFail, CauseBadUserID, ""},
		{"no name, new", entry("displayname", ""), false, KindFail, CauseNoName, ""},
		{"blank name, new", entry("displayname", "   "), false, KindFail, CauseNoName, ""},
		{"no name, known, mapping clears it", entry("displayname", ""), true, KindFail, CauseNoName, ""},
		{"local user", entry("userprincipalname", "LOCAL@example.test"), false, KindSkip, CauseLocalConflict, ""},
		{"disabled, new", entry("useraccountcontrol", "514"), false, KindSkip, CauseDisabled, ""},
		{"disabled, known", entry("useraccountcontrol", "514"), true, KindProvision, CauseDisabled, store.StatusInactive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res mapping.Result
			d := Decide(rules, tt.e, tt.known, &res)
			if d.Kind != tt.kind || d.Cause != tt.cause || d.Status != tt.status {
				t.Fatalf("Decide = %s/%s/%s (%s), want %s/%s/%s", d.Kind, d.Cause, d.Status, d.Reason, tt.kind, tt.cause, tt.status)
			}
			if d.Kind != KindProvision && d.Reason == "" {
				t.Fatal("a decision not to provision gives no reason")
			}
		})
	}
	// A known user whose name is missing but not cleared keeps the name.
	keep := rules
	keep.Mapper = mapping.MustCompile(mapping.Set{Mappings: []mapping.Mapping{
		{Source: "userPrincipalName", Target: mapping.FieldUserID}, {Source: "displayName", Target: mapping.FieldName}}})
	var res mapping.Result
	if d := Decide(keep, entry("displayname", ""), true, &res); d.Kind != KindProvision {
		t.Fatalf("a known user whose name the mapping keeps: %s %s", d.Kind, d.Reason)
	}
}
