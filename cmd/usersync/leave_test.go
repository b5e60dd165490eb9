package main

import (
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// leaveCase is one leave policy and what a run that notices a deleted
// entry must do to its user.
type leaveCase struct {
	name   string
	policy map[string]any
	want   store.Counts
	// status is the leaver's status afterwards; "" means deleted.
	status string
}

var leaveCases = []leaveCase{
	{"deactivate", map[string]any{"action": "deactivate"}, store.Counts{Deactivated: 1}, store.StatusInactive},
	{"delete", map[string]any{"action": "delete"}, store.Counts{Deleted: 1}, ""},
	{"deactivate then delete", map[string]any{"action": "deactivateThenDelete", "afterDays": 30}, store.Counts{Deactivated: 1}, store.StatusInactive},
}

// leaveMappings clear email when a user leaves (the Delete column) and
// keep displayName.
func leaveMappings(userIDSource string) []any {
	return []any{
		map[string]any{"source": userIDSource, "target": "userId"},
		map[string]any{"source": "displayName", "target": "displayName"},
		map[string]any{"source": "mail", "target": "email", "policy": map[string]any{"delete": true}},
	}
}

// wantLeft checks what an incremental run (a one-user add is one too) did
// to the user who left.
func wantLeft(t *testing.T, c *cli, tc leaveCase, rep store.Run, userID string) {
	t.Helper()
	if rep.Mode != store.ModeIncremental {
		t.Fatalf("the run after the delete is %s, want incremental (warnings %q)", rep.Mode, rep.Warnings)
	}
	got := rep.Counts
	got.EntriesRead, got.Unchanged = 0, 0
	if got != tc.want {
		t.Fatalf("incremental run: %+v, want %+v", got, tc.want)
	}
	u, ok := c.users()[userID]
	switch {
	case tc.status == "" && ok:
		t.Fatalf("the leave policy deletes, yet %s is still in the store: %+v", userID, u)
	case tc.status == "":
	case !ok:
		t.Fatalf("%s was deleted; the policy keeps them %s", userID, tc.status)
	case u.Status != tc.status:
		t.Fatalf("%s is %s, want %s", userID, u.Status, tc.status)
	case u.Email != "":
		t.Fatalf("%s kept email %q, which the mapping clears on leave", userID, u.Email)
	}
}

// TestLeavePolicyIncrementalOpenLDAP: an incremental run (syncrepl) that
// sees an entry deleted applies the connection's leave policy and the
// mapping's Delete column, exactly as a full run would.
func TestLeavePolicyIncrementalOpenLDAP(t *testing.T) {
	for _, tc := range leaveCases {
		t.Run(tc.name, func(t *testing.T) {
			s := slapd.Start(t, 5, 0)
			c := newCLI(t)
			doc := connDoc(s)
			doc["leavePolicy"], doc["mappings"] = tc.policy, leaveMappings("uid")
			c.apply(doc)
			c.mustSync("corp")
			if err := adminConn(t, s).Del(ldapv3.NewDelRequest(slapd.UserDN(2), nil)); err != nil {
				t.Fatal(err)
			}
			wantLeft(t, c, tc, c.mustSync("corp").Run, slapd.UID(2))
		})
	}
}

// TestLeavePolicyIncrementalSambaAD is the same on Active Directory, whose
// incremental read finds deleted users among the tombstones.
func TestLeavePolicyIncrementalSambaAD(t *testing.T) {
	dc := samba.StartWithUsers(t, 12)
	for i, tc := range leaveCases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			c.apply(adDoc(dc, map[string]any{"leavePolicy": tc.policy, "mappings": leaveMappings("userPrincipalName")}))
			c.mustSync("ad")
			n := i + 1
			dc.Delete(t, samba.GeneratedUserDN(n))
			wantLeft(t, c, tc, c.mustSync("ad").Run, samba.GeneratedUser(n).UserPrincipalName)
		})
	}
}

// TestLeavePolicyOneUser: a one-user add of a synced user whose entry left
// the scope applies the leave policy, as a full run would.
func TestLeavePolicyOneUser(t *testing.T) {
	for _, tc := range leaveCases[:2] {
		t.Run(tc.name, func(t *testing.T) {
			s := slapd.Start(t, 5, 0)
			c := newCLI(t)
			doc := connDoc(s)
			doc["leavePolicy"], doc["mappings"] = tc.policy, leaveMappings("uid")
			doc["scope"] = map[string]any{"clauses": []any{map[string]any{"attribute": "title", "operator": "notEquals", "value": "Contractor"}}}
			c.apply(doc)
			c.mustSync("corp")
			m := ldapv3.NewModifyRequest(slapd.UserDN(2), nil)
			m.Replace("title", []string{"Contractor"})
			if err := adminConn(t, s).Modify(m); err != nil {
				t.Fatal(err)
			}
			rep := c.addOne("corp", slapd.UID(2), false)
			wantLeft(t, c, tc, rep.Run, slapd.UID(2))
		})
	}
}
