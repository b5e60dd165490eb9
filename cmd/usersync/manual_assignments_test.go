package main

import (
	"context"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/samba"
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
	pg := startPostgres(t)
	for _, tt := range tests {
		for _, st := range []string{"sqlite", "postgres"} {
			t.Run("setting "+tt.setting+" "+st, func(t *testing.T) {
				c := newCLI(t)
				if st == "postgres" {
					usePostgres(t, c, pg)
				}
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

				dry := c.mustSync("corp", "--dry-run")
				if removes := planRemoves(dry.Plan, "dave", "site", "Paris (manual)"); removes == tt.kept {
					t.Fatalf("the dry run's plan removes dave's manual site: %v, want %v: %+v", removes, !tt.kept, dry.Plan)
				}
				c.wantMemberships("dave", "site:Paris:manual") // a dry run writes nothing

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
}

func planRemoves(plan []store.Outcome, userID, field, old string) bool {
	for _, o := range plan {
		for _, ch := range o.Changes {
			if o.UserID == userID && ch.Field == field && ch.Old == old && ch.New == "" {
				return true
			}
		}
	}
	return false
}

// startPostgres starts a throwaway PostgreSQL cluster, stopped when the
// test ends.
func startPostgres(t *testing.T) *pgtest.Cluster {
	t.Helper()
	pgtest.Require(t)
	pg, err := pgtest.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	return pg
}

// usePostgres points c at a new database of pg.
func usePostgres(t *testing.T, c *cli, pg *pgtest.Cluster) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home) // the secret key's file: there is no SQLite directory to keep it beside
	t.Setenv("HOME", home)
	url, err := pg.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.db = url
}

// TestManualAssignmentsSambaAD is TestManualAssignmentsOpenLDAP on Active
// Directory, where memberships come from memberOf and nested groups are
// followed: a manual assignment is removed by the next sync under
// "overwrite" and kept under "keep".
func TestManualAssignmentsSambaAD(t *testing.T) {
	dc := samba.StartWithUsers(t, 10)
	l := dc.Dial(t)
	ou := ldapv3.NewAddRequest(adGroups, nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	if err := l.Add(ou); err != nil {
		t.Fatal(err)
	}
	u := samba.GeneratedUserDN
	upn := func(i int) string { return samba.GeneratedUser(i).UserPrincipalName }
	engineering := adGroup(t, l, "Engineering", u(1))
	adGroup(t, l, "Platform", u(2))
	dc.AddMembers(t, engineering, []string{"CN=Platform," + adGroups}) // Platform is nested in Engineering

	c := newCLI(t)
	for _, args := range [][]string{{"permission-set", "add", "Engineering"}, {"permission-set", "add", "Sales"}, {"site", "add", "Paris"}} {
		c.mustRun(args...)
	}
	rule := "rule:corp"
	for _, tt := range []struct {
		setting string
		kept    bool
	}{{"overwrite", false}, {"keep", true}} {
		t.Run("setting "+tt.setting, func(t *testing.T) {
			doc := sambaConnDoc(dc)
			doc["followNestedGroups"], doc["manualAssignments"] = true, tt.setting
			c.apply(doc)
			c.mustSync("corp")
			c.mustRun("users", "assign", upn(2), "--permission-set", "Sales")
			c.mustRun("users", "assign", upn(4), "--site", "Paris")
			rep := c.mustSync("corp")
			if rep.Mode != store.ModeIncremental {
				t.Fatalf("the second run is %s, want incremental", rep.Mode)
			}
			want2 := []string{"permissionSet:Engineering:" + rule} // through Platform, nested in Engineering
			var want4 []string
			if tt.kept {
				want2, want4 = append(want2, "permissionSet:Sales:manual"), []string{"site:Paris:manual"}
			}
			c.wantMemberships(upn(2), want2...)
			c.wantMemberships(upn(4), want4...)
			c.wantMemberships(upn(1), "permissionSet:Engineering:"+rule)
		})
	}
}
