package main

import (
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// rpReplace is a relying-party configuration that replaces a value already
// present in the single-valued cloudAttr with the plain UPN.
const rpReplace = `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"` + cloudAttr +
	`","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":false,"skipIfAlreadyPresent":false,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"error"}}`

// TestUndoRelyingPartySambaAD: an undo of a relying-party run removes
// exactly the values the run wrote to AD and nothing else, puts back a
// value it replaced, and an undo of that undo writes them again.
func TestUndoRelyingPartySambaAD(t *testing.T) {
	dc := samba.Start(t)
	users := []samba.UserSpec{
		adUser("ann.rp", "ann.rp@example.test", "exu", map[string][]string{"proxyAddresses": {"X500:/o=Org/cn=ann", "SMTP:ann@example.org"}}),
		adUser("ben.rp", "ben.rp@example.test", "exu", nil),
		adUser("cid.rp", "cid.rp@example.test", "exu", map[string][]string{"proxyAddresses": {"smtp:cid.rp@example.test"}}),
		adUser("dee.rp", "Dee.Rp@example.test", "exr", map[string][]string{cloudAttr: {"set by hand"}}),
	}
	dc.AddUsers(t, len(users), func(i int) samba.UserSpec { return users[i] })
	dn := func(sam string) string { return "CN=" + sam + "," + samba.UsersDN }
	c := newADCLI(t, dc)

	c.apply(c.doc("rpu", "relyingParty", "(&(objectClass=user)(department=exu))", seedExample3))
	wrote := c.mustSync("rpu")
	wantCounts(t, wrote, store.Counts{Updated: 2, Unchanged: 1})
	wantValues(t, dc, dn("ann.rp"), "proxyAddresses", "X500:/o=Org/cn=ann", "SMTP:ann@example.org", "smtp:ann.rp@example.test")
	// After the run, someone else adds a value of their own to ben.
	add := ldapv3.NewModifyRequest(dn("ben.rp"), nil)
	add.Add("proxyAddresses", []string{"smtp:ben.other@example.org"})
	dc.Modify(t, add)

	dry, code, out := c.undo(wrote.ID, "--dry-run")
	if code != 0 || len(dry.Plan) != 2 {
		t.Fatalf("undo --dry-run: exit %d %s", code, out)
	}
	wantValues(t, dc, dn("ben.rp"), "proxyAddresses", "smtp:ben.rp@example.test", "smtp:ben.other@example.org")

	undo, code, out := c.undo(wrote.ID)
	if code != 0 || undo.Updated != 2 || undo.Status != store.RunSucceeded || len(undo.Conflicts) != 0 {
		t.Fatalf("undo: exit %d %s", code, out)
	}
	wantValues(t, dc, dn("ann.rp"), "proxyAddresses", "X500:/o=Org/cn=ann", "SMTP:ann@example.org")
	wantValues(t, dc, dn("ben.rp"), "proxyAddresses", "smtp:ben.other@example.org")
	wantValues(t, dc, dn("cid.rp"), "proxyAddresses", "smtp:cid.rp@example.test")
	if out := c.mustRun("runs", "show", fmt.Sprint(undo.ID)); !strings.Contains(out, `proxyAddresses "smtp:ben.rp@example.test" → ""`) {
		t.Fatalf("the undo run does not record what it removed:\n%s", out)
	}

	// The undo of the undo writes the same values again.
	redo, code, out := c.undo(undo.ID)
	if code != 0 || redo.Updated != 2 {
		t.Fatalf("undo of the undo: exit %d %s", code, out)
	}
	wantValues(t, dc, dn("ann.rp"), "proxyAddresses", "X500:/o=Org/cn=ann", "SMTP:ann@example.org", "smtp:ann.rp@example.test")
	wantValues(t, dc, dn("ben.rp"), "proxyAddresses", "smtp:ben.rp@example.test", "smtp:ben.other@example.org")

	// A replaced value comes back; one changed since is a conflict.
	c.apply(c.doc("rpr", "relyingParty", "(&(objectClass=user)(department=exr))", rpReplace))
	replaced := c.mustSync("rpr")
	wantCounts(t, replaced, store.Counts{Updated: 1})
	wantValues(t, dc, dn("dee.rp"), cloudAttr, "Dee.Rp@example.test")
	undo, code, out = c.undo(replaced.ID)
	if code != 0 || undo.Updated != 1 {
		t.Fatalf("undo of the replace: exit %d %s", code, out)
	}
	wantValues(t, dc, dn("dee.rp"), cloudAttr, "set by hand")
	again := c.mustSync("rpr")
	dc.Replace(t, dn("dee.rp"), cloudAttr, "changed again")
	undo, code, out = c.undo(again.ID)
	if code != 0 || undo.Updated != 0 || len(undo.Conflicts) != 1 || undo.Conflicts[0].Now != "changed again" || undo.Conflicts[0].Before != "set by hand" {
		t.Fatalf("undo after a later change: exit %d %s", code, out)
	}
	wantValues(t, dc, dn("dee.rp"), cloudAttr, "changed again")
}

// TestUndoWrongFilterSambaAD is the wrong-filter undo on Active Directory,
// where memberships come from memberOf and the userId from the UPN: the
// undo reactivates the 40% with their fields and memberships, the next
// sync with the right filter changes nothing, and an undo of a run that
// removed memberships gives them back.
func TestUndoWrongFilterSambaAD(t *testing.T) {
	dc := samba.Start(t)
	var specs []samba.UserSpec
	for i := 1; i <= undoUsers; i++ {
		specs = append(specs, samba.UserSpec{SAMAccountName: fmt.Sprintf("ua%02d", i), Department: "exa",
			DisplayName: fmt.Sprintf("Display %d", i), Mail: fmt.Sprintf("ua%02d@example.org", i)})
	}
	dns := dc.AddUsers(t, len(specs), func(i int) samba.UserSpec { return specs[i] })
	group := dc.AddGroup(t, "Engineering", dns)
	right := "(&(objectClass=user)(department=exa))"
	// The wrong filter leaves out ua13..ua20: 8 of 20 users, 40%.
	wrong := "(&(objectClass=user)(department=exa)(|(sAMAccountName=ua0*)(sAMAccountName=ua10)(sAMAccountName=ua11)(sAMAccountName=ua12)))"
	doc := func(filter string) map[string]any {
		return adDoc(dc, map[string]any{"searchPath": samba.UsersDN, "searchFilter": filter, "mappings": []any{
			map[string]any{"source": "userPrincipalName", "target": "userId"},
			map[string]any{"source": "displayName", "target": "displayName"},
			map[string]any{"source": "mail", "target": "email", "policy": map[string]any{"delete": true}},
		}})
	}
	c := newCLI(t)
	c.apply(doc(right))
	c.mustRun("permission-set", "add", "Engineering")
	if rep := c.mustSync("ad"); rep.Created != undoUsers || rep.MembershipChanges != undoUsers {
		t.Fatalf("first sync: %+v", rep)
	}
	before := c.snapshot()
	if u := before["ua15@example.test"]; u.Email != "ua15@example.org" || len(u.Memberships) != 1 {
		t.Fatalf("ua15 after the first sync = %+v", u)
	}

	c.apply(doc(wrong))
	held, code := c.sync("ad")
	if code != exitHeld || held.PendingDeactivations != 8 {
		t.Fatalf("wrong-filter sync: exit %d %+v", code, held)
	}
	c.mustRun("runs", "approve", fmt.Sprint(held.ID))
	if u := c.snapshot()["ua15@example.test"]; u.Status != store.StatusInactive || u.Email != "" {
		t.Fatalf("ua15 after the approved wrong run = %+v", u)
	}
	undo, code, out := c.undo(held.ID)
	if code != 0 || undo.Updated != 8 {
		t.Fatalf("undo: exit %d %s", code, out)
	}
	wantSnapshot(t, "after the undo", c.snapshot(), before)
	c.apply(doc(right))
	next := c.mustSync("ad")
	if next.Created+next.Updated+next.Deactivated+next.Deleted+next.MembershipChanges+next.PendingDeactivations != 0 {
		t.Fatalf("the sync after the undo changed something: %+v", next)
	}

	// Three users leave the group in AD: the run removes their
	// memberships, and its undo gives them back from the same source.
	rm := ldapv3.NewModifyRequest(group, nil)
	rm.Delete("member", dns[:3])
	dc.Modify(t, rm)
	left := c.mustSync("ad", "--full")
	if left.MembershipChanges != 3 {
		t.Fatalf("membership removal: %+v", left)
	}
	if got := c.show("ua01@example.test").has(); len(got) != 0 {
		t.Fatalf("ua01 still holds %q", got)
	}
	undo, code, out = c.undo(left.ID)
	if code != 0 || undo.MembershipChanges != 3 {
		t.Fatalf("undo of the membership removal: exit %d %s", code, out)
	}
	c.wantMemberships("ua01@example.test", "permissionSet:Engineering:rule:ad")

	// A mapping change rewrites every display name, then an operator
	// edits three: the undo restores the others and lists the three.
	rewrite := doc(right)
	rewrite["mappings"].([]any)[1] = map[string]any{"source": "sAMAccountName", "target": "displayName"}
	c.apply(rewrite)
	rewrote := c.mustSync("ad", "--full")
	if rewrote.Updated != undoUsers {
		t.Fatalf("mapping change: %+v", rewrote)
	}
	users := c.users()
	for _, id := range []string{"ua05", "ua06", "ua07"} {
		c.mustRun("users", "set", fmt.Sprint(user(t, users, id+"@example.test").ID), "displayName", "Edited "+id)
	}
	edited := c.snapshot()
	undo, code, out = c.undo(rewrote.ID)
	if code != 0 || undo.Updated != undoUsers-3 || len(undo.Conflicts) != 3 {
		t.Fatalf("undo of the mapping change: exit %d %s", code, out)
	}
	for _, cf := range undo.Conflicts {
		if cf.Field != "displayName" || cf.Now != "Edited "+strings.TrimSuffix(cf.UserID, "@example.test") || !strings.HasPrefix(cf.Before, "Display ") {
			t.Fatalf("conflict = %+v", cf)
		}
	}
	if got := c.snapshot()["ua11@example.test"]; got.DisplayName != "Display 11" {
		t.Fatalf("ua11 after the undo = %+v", got)
	}
	// The undo of that undo returns the store to the state after the
	// mapping change and the edits.
	if _, code, out := c.undo(undo.ID); code != 0 {
		t.Fatalf("undo of the undo: exit %d %s", code, out)
	}
	wantSnapshot(t, "after the undo of the undo", c.snapshot(), edited)
}
