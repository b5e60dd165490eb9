package main

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestManualAssignmentsOpenLDAP: "Synchronization overwrites all Permission
// Set assignments, group assignments and site assignments" holds with
// "manualAssignments": "overwrite", in the next run whatever its kind (an
// incremental run that does not read the user, a one-user add), while the
// default keeps what an operator assigned by hand.
func TestManualAssignmentsOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, groupsLDIF())
	rule := "rule:corp"
	aliceRules := []string{"permissionSet:Engineering:" + rule, "group:Engineering:" + rule, "site:Berlin:" + rule}
	tests := []struct {
		setting string
		kept    bool
	}{
		{"", true},
		{"keep", true},
		{"overwrite", false},
	}
	for _, tt := range tests {
		t.Run("setting "+tt.setting, func(t *testing.T) {
			c := newCLI(t)
			doc := connDoc(s)
			if tt.setting != "" {
				doc["manualAssignments"] = tt.setting
			}
			c.apply(doc)
			for _, args := range [][]string{
				{"permission-set", "add", "Engineering"}, {"permission-set", "add", "Sales"}, {"group", "add", "Engineering"},
				{"site", "add", "Berlin"}, {"site", "add", "Paris"},
			} {
				c.mustRun(args...)
			}
			c.mustSync("corp")
			// An operator assigns by hand: a set alice also holds by rule,
			// one she does not, and a site to dave, who is in no group.
			c.mustRun("users", "assign", "alice", "--permission-set", "Engineering")
			c.mustRun("users", "assign", "alice", "--permission-set", "Sales")
			c.mustRun("users", "assign", "dave", "--site", "Paris")

			rep := c.mustSync("corp")
			if rep.Mode != store.ModeIncremental {
				t.Fatalf("the second run is %s, want incremental (nothing changed in the directory)", rep.Mode)
			}
			if tt.kept {
				c.wantMemberships("alice", append([]string{"permissionSet:Engineering:manual", "permissionSet:Sales:manual"}, aliceRules...)...)
				c.wantMemberships("dave", "site:Paris:manual")
				if rep.MembershipChanges != 0 {
					t.Fatalf("membership changes %d, want 0: %+v", rep.MembershipChanges, rep)
				}
				return
			}
			c.wantMemberships("alice", aliceRules...)
			c.wantMemberships("dave")
			if rep.MembershipChanges != 2 {
				t.Fatalf("membership changes %d, want 2 (alice, dave): %+v", rep.MembershipChanges, rep)
			}
			if out := c.outcomes(rep.ID, store.ActionUpdated); !strings.Contains(out, "manual assignments overwritten") || !strings.Contains(out, `"old": "Paris (manual)"`) {
				t.Fatalf("the run report does not say what was overwritten:\n%s", out)
			}

			// A one-user add is a sync too.
			c.mustRun("users", "assign", "alice", "--site", "Paris")
			c.mustRun("users", "add", "--connection", "corp", "alice", "--json")
			c.wantMemberships("alice", aliceRules...)

			// Local users are never touched.
			if out, code := c.runIn("Local-Passw0rd-long\n", "users", "add-local", "ops", "--display-name", "Ops"); code != 0 {
				t.Fatalf("users add-local: %d %s", code, out)
			}
			c.mustRun("users", "assign", "ops", "--site", "Paris")
			c.mustSync("corp", "--full")
			c.wantMemberships("ops", "site:Paris:manual")
		})
	}
}
