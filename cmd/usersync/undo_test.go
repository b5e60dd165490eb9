package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// undoUsers is how many users the undo directories hold; 8 of them (40%)
// fall outside the wrong filter.
const undoUsers = 20

// undoLDIF is a directory of undoUsers users, all in the group Engineering,
// whose displayName and cn differ so that a mapping change rewrites them.
func undoLDIF() []byte {
	var b strings.Builder
	for i := 1; i <= undoUsers; i++ {
		fmt.Fprintf(&b, "dn: uid=u%02d,%s\nobjectClass: inetOrgPerson\nuid: u%02d\ncn: Common %d\nsn: S%d\ndisplayName: Display %d\nmail: u%02d@example.com\n\n",
			i, slapd.PeopleDN, i, i, i, i, i)
	}
	fmt.Fprintf(&b, "dn: cn=Engineering,%s\nobjectClass: groupOfNames\ncn: Engineering\n", slapd.GroupsDN)
	for i := 1; i <= undoUsers; i++ {
		fmt.Fprintf(&b, "member: uid=u%02d,%s\n", i, slapd.PeopleDN)
	}
	return []byte(b.String())
}

// undoDoc is the connection to s: userId from uid, displayName from
// displaySource, email cleared when a user leaves.
func undoDoc(s *slapd.Server, filter, displaySource string) map[string]any {
	doc := connDoc(s)
	doc["searchFilter"] = filter
	doc["mappings"] = []any{
		map[string]any{"source": "uid", "target": "userId"},
		map[string]any{"source": displaySource, "target": "displayName"},
		map[string]any{"source": "mail", "target": "email", "policy": map[string]any{"delete": true}},
	}
	return doc
}

const (
	rightFilter = "(objectClass=inetOrgPerson)"
	// wrongFilter leaves out u13..u20: 8 of 20 users, 40%.
	wrongFilter = "(&(objectClass=inetOrgPerson)(|(uid=u0*)(uid=u10)(uid=u11)(uid=u12)))"
)

// undoUser is what the undo tests compare of a user.
type undoUser struct {
	Status, DisplayName, Email string
	Memberships                []string
}

// snapshot is every user's status, displayName, email and memberships.
func (c *cli) snapshot() map[string]undoUser {
	c.t.Helper()
	out := map[string]undoUser{}
	for id := range c.users() {
		s := c.show(id)
		out[id] = undoUser{s.User.Status, s.User.Fields[store.FieldDisplayName], s.User.Fields[store.FieldEmail], s.has()}
	}
	return out
}

// undo runs `runs undo ID --json` and returns the report and exit code.
func (c *cli) undo(id int64, extra ...string) (app.UndoReport, int, string) {
	c.t.Helper()
	out, code := c.run(append([]string{"runs", "undo", fmt.Sprint(id), "--json"}, extra...)...)
	var rep app.UndoReport
	if i := strings.Index(out, "{"); i >= 0 {
		_ = json.NewDecoder(strings.NewReader(out[i:])).Decode(&rep)
	}
	return rep, code, out
}

func wantSnapshot(t *testing.T, what string, got, want map[string]undoUser) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d users, want %d", what, len(got), len(want))
	}
	for id, w := range want {
		g := got[id]
		if g.Status != w.Status || g.DisplayName != w.DisplayName || g.Email != w.Email || strings.Join(g.Memberships, ",") != strings.Join(w.Memberships, ",") {
			t.Fatalf("%s: %s = %+v, want %+v", what, id, g, w)
		}
	}
}

// TestUndoWrongFilterOpenLDAP: a sync with a wrong filter deactivated 40%
// of the users and was approved by mistake. Undoing it reactivates every
// one with the email the leave cleared and its memberships; the next sync
// with the right filter changes nothing; an undo of the undo returns the
// store to the state after the wrong run.
func TestUndoWrongFilterOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, undoLDIF())
	c := newCLI(t)
	c.apply(undoDoc(s, rightFilter, "displayName"))
	c.mustRun("permission-set", "add", "Engineering")
	if rep := c.mustSync("corp"); rep.Created != undoUsers || rep.MembershipChanges != undoUsers {
		t.Fatalf("first sync: %+v", rep)
	}
	before := c.snapshot()
	if got := before["u15"]; got.Status != store.StatusActive || got.Email != "u15@example.com" || len(got.Memberships) != 1 {
		t.Fatalf("u15 after the first sync = %+v", got)
	}

	c.apply(undoDoc(s, wrongFilter, "displayName"))
	wrong, code := c.sync("corp")
	if code != exitHeld || wrong.PendingDeactivations != 8 {
		t.Fatalf("wrong-filter sync: exit %d %+v; want held with 8 pending", code, wrong)
	}
	c.mustRun("runs", "approve", fmt.Sprint(wrong.ID))
	after := c.snapshot()
	if got := after["u15"]; got.Status != store.StatusInactive || got.Email != "" {
		t.Fatalf("u15 after the approved wrong run = %+v; want inactive without email", got)
	}
	if countStatus(c.users(), store.StatusInactive) != 8 {
		t.Fatal("the approved wrong run did not deactivate 8 users")
	}

	// The dry run is the preview: it lists the plan and writes nothing.
	dry, code, out := c.undo(wrong.ID, "--dry-run")
	if code != 0 || !dry.DryRun || dry.Updated != 8 || len(dry.Plan) != 8 || len(dry.Conflicts) != 0 {
		t.Fatalf("undo --dry-run: exit %d %s", code, out)
	}
	wantSnapshot(t, "after the dry run", c.snapshot(), after)

	undo, code, out := c.undo(wrong.ID)
	if code != 0 || undo.Status != store.RunSucceeded || undo.Updated != 8 || undo.UndoOf != wrong.ID || undo.Trigger != store.TriggerUndo {
		t.Fatalf("undo: exit %d %s", code, out)
	}
	wantSnapshot(t, "after the undo", c.snapshot(), before)
	if out := c.mustRun("runs", "list"); !strings.Contains(out, fmt.Sprintf("undone by run %d", undo.ID)) {
		t.Fatalf("runs list does not say the run was undone:\n%s", out)
	}
	if out := c.mustRun("runs", "show", fmt.Sprint(wrong.ID)); !strings.Contains(out, fmt.Sprintf("undone by run %d", undo.ID)) {
		t.Fatalf("runs show does not say the run was undone:\n%s", out)
	}
	if _, code, out := c.undo(wrong.ID); code != exitUsage || !strings.Contains(out, fmt.Sprintf("already undone by run %d", undo.ID)) {
		t.Fatalf("second undo of the same run: exit %d %s", code, out)
	}

	c.apply(undoDoc(s, rightFilter, "displayName"))
	next := c.mustSync("corp")
	if next.Created+next.Updated+next.Deactivated+next.Deleted+next.MembershipChanges+next.PendingDeactivations != 0 {
		t.Fatalf("the sync after the undo changed something: %+v", next)
	}
	wantSnapshot(t, "after the next sync", c.snapshot(), before)

	// The undo of the undo puts back the state after the wrong run: held
	// first, as the guard holds any mass deactivation, then approved.
	redo, code, out := c.undo(undo.ID)
	if code != exitHeld || redo.PendingDeactivations != 8 {
		t.Fatalf("undo of the undo: exit %d %s", code, out)
	}
	c.mustRun("runs", "approve", fmt.Sprint(redo.ID))
	wantSnapshot(t, "after the undo of the undo", c.snapshot(), after)
}

// TestUndoConflictsOpenLDAP: a mapping change rewrote every user's
// display name, then an operator edited three of them. The undo restores
// the others and lists the three as conflicts with their three values.
func TestUndoConflictsOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, undoLDIF())
	c := newCLI(t)
	c.apply(undoDoc(s, rightFilter, "displayName"))
	c.mustSync("corp")
	before := c.snapshot()

	c.apply(undoDoc(s, rightFilter, "cn"))
	rewrite := c.mustSync("corp", "--full")
	if rewrite.Updated != undoUsers {
		t.Fatalf("mapping change: %+v; want %d updated", rewrite, undoUsers)
	}
	users := c.users()
	edited := map[string]bool{"u03": true, "u07": true, "u11": true}
	for id := range edited {
		c.mustRun("users", "set", fmt.Sprint(user(t, users, id).ID), "displayName", "Edited "+id)
	}

	preview := c.mustRun("runs", "undo", fmt.Sprint(rewrite.ID), "--dry-run")
	if !strings.Contains(preview, `3 conflicts`) || !strings.Contains(preview, `u03: changed since run 2, left as it is: before "Display 3", after "Common 3", now "Edited u03"`) {
		t.Fatalf("the preview does not list the conflicts:\n%s", preview)
	}
	undo, code, out := c.undo(rewrite.ID)
	if code != 0 || undo.Updated != undoUsers-3 || len(undo.Conflicts) != 3 {
		t.Fatalf("undo: exit %d %s", code, out)
	}
	for _, cf := range undo.Conflicts {
		n := strings.TrimPrefix(cf.UserID, "u")
		var i int
		fmt.Sscan(strings.TrimLeft(n, "0"), &i)
		if !edited[cf.UserID] || cf.Field != "displayName" || cf.Before != fmt.Sprintf("Display %d", i) ||
			cf.After != fmt.Sprintf("Common %d", i) || cf.Now != "Edited "+cf.UserID {
			t.Fatalf("conflict = %+v", cf)
		}
	}
	got := c.snapshot()
	for id, w := range before {
		if edited[id] {
			w.DisplayName = "Edited " + id
		}
		if g := got[id]; g.DisplayName != w.DisplayName || g.Status != w.Status || g.Email != w.Email {
			t.Fatalf("after the undo %s = %+v, want %+v", id, g, w)
		}
	}
	if out := c.mustRun("runs", "show", fmt.Sprint(undo.ID)); !strings.Contains(out, `before "Display 3", after "Common 3", now "Edited u03"`) {
		t.Fatalf("the undo run's record does not list the conflict:\n%s", out)
	}
}

// TestUndoCreatesAndDeletesOpenLDAP: undoing a run deactivates the users
// it created (a later sync brings them back) and restores the users it
// deleted while the retention lasts; past it, the undo says it is too
// late and writes nothing.
func TestUndoCreatesAndDeletesOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, undoLDIF())
	c := newCLI(t)
	doc := undoDoc(s, wrongFilter, "displayName")
	doc["leavePolicy"] = map[string]any{"action": "delete"}
	doc["deletionGuard"] = map[string]any{"disabled": true}
	doc["groupRules"] = false
	c.apply(doc)
	c.mustSync("corp")

	// The right filter creates u13..u20: undoing that run deactivates them.
	doc["searchFilter"] = rightFilter
	c.apply(doc)
	created := c.mustSync("corp")
	if created.Created != 8 {
		t.Fatalf("sync with the right filter: %+v", created)
	}
	undo, code, out := c.undo(created.ID)
	if code != 0 || undo.Deactivated != 8 || countStatus(c.users(), store.StatusInactive) != 8 {
		t.Fatalf("undo of the creates: exit %d %s", code, out)
	}
	if u := c.show("u15").User; u.Fields[store.FieldEmail] != "u15@example.com" {
		t.Fatalf("the undo of a create cleared fields: %+v", u)
	}
	if back := c.mustSync("corp", "--full"); back.Updated != 8 || countStatus(c.users(), store.StatusActive) != undoUsers {
		t.Fatalf("the sync after the undo did not bring the users back: %+v", back)
	}
	// Memberships an operator gave by hand, which no sync gives back, must
	// come back with a restored user.
	c.mustRun("group", "add", "Engineering")
	c.mustRun("site", "add", "Rome")
	c.mustRun("users", "assign", "u15", "--group", "Engineering", "--site", "Rome")
	c.mustRun("users", "assign", "u16", "--group", "Engineering")
	before := c.snapshot()
	if got := before["u15"].Memberships; len(got) != 2 {
		t.Fatalf("u15's manual memberships before the delete: %q", got)
	}

	// The wrong filter deletes u13..u20 under the delete policy.
	doc["searchFilter"] = wrongFilter
	c.apply(doc)
	deleted := c.mustSync("corp", "--full")
	if deleted.Deleted != 8 || len(c.users()) != 12 {
		t.Fatalf("delete run: %+v", deleted)
	}
	t.Setenv(app.EnvDeletedRetention, "1ns")
	if _, code, out := c.undo(deleted.ID); code == 0 || !strings.Contains(out, "too late") || len(c.users()) != 12 {
		t.Fatalf("undo past the retention: exit %d %s", code, out)
	}
	t.Setenv(app.EnvDeletedRetention, "forever")
	if _, code, out := c.undo(deleted.ID); code != exitUsage || !strings.Contains(out, app.EnvDeletedRetention) {
		t.Fatalf("undo with a bad retention: exit %d %s", code, out)
	}
	t.Setenv(app.EnvDeletedRetention, "")
	// An entity deleted since the delete cannot be given back: that one
	// membership is a conflict, and the rest of the undo goes on.
	c.mustRun("site", "remove", "Rome")
	delete(before, "u15")
	undo, code, out = c.undo(deleted.ID)
	if code != 0 || undo.Created != 8 || undo.MembershipChanges != 2 {
		t.Fatalf("undo of the deletes: exit %d %s", code, out)
	}
	if !strings.Contains(out, "no such site") {
		t.Fatalf("undo of the deletes does not report the deleted site:\n%s", out)
	}
	after := c.snapshot()
	if got := strings.Join(after["u15"].Memberships, ","); got != "group:Engineering:manual" {
		t.Fatalf("u15 after the undo: memberships %q, want its group without the deleted site", got)
	}
	delete(after, "u15")
	wantSnapshot(t, "after restoring the deleted users", after, before)
}

// TestUndoIncrementalAndOneUserOpenLDAP: runs of every kind record their
// changes the same way, so an incremental run and a one-user `users add`
// run are undone like a full one.
func TestUndoIncrementalAndOneUserOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, undoLDIF())
	c := newCLI(t)
	doc := undoDoc(s, wrongFilter, "displayName")
	doc["groupRules"] = false
	c.apply(doc)
	c.mustSync("corp")
	c.mustSync("corp") // saves the change token

	l := adminConn(t, s)
	m := ldapv3.NewModifyRequest("uid=u02,"+slapd.PeopleDN, nil)
	m.Replace("mail", []string{"u02@moved.example.org"})
	if err := l.Modify(m); err != nil {
		t.Fatal(err)
	}
	inc := c.mustSync("corp")
	if inc.Mode != store.ModeIncremental || inc.Updated != 1 {
		t.Fatalf("incremental run: %+v", inc)
	}
	if undo, code, out := c.undo(inc.ID); code != 0 || undo.Updated != 1 {
		t.Fatalf("undo of the incremental run: exit %d %s", code, out)
	}
	if got := c.show("u02").User.Fields[store.FieldEmail]; got != "u02@example.com" {
		t.Fatalf("after the undo u02's email = %q", got)
	}

	// A new entry added by hand is a one-user run, and its undo
	// deactivates the user it created.
	add := ldapv3.NewAddRequest("uid=u0new,"+slapd.PeopleDN, nil)
	add.Attribute("objectClass", []string{"inetOrgPerson"})
	add.Attribute("uid", []string{"u0new"})
	add.Attribute("cn", []string{"New"})
	add.Attribute("sn", []string{"New"})
	add.Attribute("displayName", []string{"New User"})
	if err := l.Add(add); err != nil {
		t.Fatal(err)
	}
	out := c.mustRun("users", "add", "--connection", "corp", "u0new", "--json")
	var added struct {
		ID      int64 `json:"runId"`
		Created int   `json:"created"`
	}
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&added); err != nil || added.Created != 1 {
		t.Fatalf("users add: %v %s", err, out)
	}
	if undo, code, out := c.undo(added.ID); code != 0 || undo.Deactivated != 1 {
		t.Fatalf("undo of the one-user run: exit %d %s", code, out)
	}
	if got := c.show("u0new").User.Status; got != store.StatusInactive {
		t.Fatalf("after the undo u0new is %s", got)
	}
}

// TestUndoHeldUserIDOpenLDAP: a deactivated user whose userId a local user
// took since is left inactive and listed as a conflict; the others are
// reactivated.
func TestUndoHeldUserIDOpenLDAP(t *testing.T) {
	s := slapd.StartLDIF(t, undoLDIF())
	c := newCLI(t)
	doc := undoDoc(s, rightFilter, "displayName")
	doc["groupRules"] = false
	doc["deletionGuard"] = map[string]any{"disabled": true}
	c.apply(doc)
	c.mustSync("corp")
	doc["searchFilter"] = wrongFilter
	c.apply(doc)
	wrong := c.mustSync("corp")
	if wrong.Deactivated != 8 {
		t.Fatalf("wrong-filter run: %+v", wrong)
	}
	if out, code := c.runIn("Local-Pw-1234\n", "users", "add-local", "u14", "--display-name", "Local Fourteen"); code != 0 {
		t.Fatalf("add-local: %d %s", code, out)
	}
	undo, code, out := c.undo(wrong.ID)
	if code != 0 || undo.Updated != 7 || len(undo.Conflicts) != 1 || undo.Conflicts[0].UserID != "u14" || !strings.Contains(undo.Conflicts[0].Now, "held by active user") {
		t.Fatalf("undo: exit %d %s", code, out)
	}
	// 19 directory users and the local one.
	assertActive(t, c, undoUsers)
	if u := c.show("u15"); u.User.Status != store.StatusActive {
		t.Fatalf("u15 after the undo = %+v", u.User)
	}
}
