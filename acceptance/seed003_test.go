package acceptance

import (
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// Sentences about IP Office's LDAP user synchronization and its New / Update /
// Delete field table.

// ipOfficeMappings maps every field of IP Office's table from its own
// attribute, so each can be changed alone in the directory.
var ipOfficeMappings = []map[string]any{
	{"source": "employeeNumber", "target": "userId"},
	{"source": "cn", "target": "displayName"},
	{"source": "displayName", "target": "fullName"},
	{"source": "mail", "target": "email"},
	{"source": "telephoneNumber", "target": "extension"},
	{"source": "pager", "target": "loginCode"},
	{"source": "roomNumber", "target": "voicemailCode"},
	{"source": "mobile", "target": "mobileTwinningNumber"},
	{"source": "businessCategory", "target": "provisioningRule"},
}

func ipOfficeUser(uid string, v string) ldapUser {
	return ldapUser{uid: uid, attrs: map[string][]string{
		"employeeNumber": {"id-" + uid + v}, "cn": {"Name " + v}, "displayName": {"Full " + v},
		"mail": {uid + v + "@example.com"}, "telephoneNumber": {"100" + v}, "pager": {"11" + v},
		"roomNumber": {"22" + v}, "mobile": {"+39 333 000" + v}, "businessCategory": {"upr-" + v},
	}}
}

// "Even if mapped, for each particular synchronization operation above, only
// those field labeled as 'YES' are used": on create every field is set, on
// update User Identification, Login Code, Voicemail Code and User
// Provisioning Rule are not.
func TestSeed003_UpdateUsesOnlyFieldsMarkedYes(t *testing.T) {
	u := ipOfficeUser("ipo", "1")
	s := startSlapd(t, []ldapUser{u}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ipo", map[string]any{"mappings": ipOfficeMappings}))
	a.mustSync("ipo")
	created := a.user("id-ipo1")
	want := map[string]string{
		"displayName": "Name 1", "fullName": "Full 1", "email": "ipo1@example.com", "extension": "1001",
		"loginCode": "111", "voicemailCode": "221", "mobileTwinningNumber": "+39 333 0001", "provisioningRule": "upr-1",
	}
	for f, v := range want {
		if created.Fields[f] != v {
			t.Errorf("new user: %s = %q, want %q", f, created.Fields[f], v)
		}
	}
	c := slapdConn(t, s)
	changed := ipOfficeUser("ipo", "2")
	for attr, v := range changed.attrs {
		modify(t, c, peopleDN("ipo"), attr, v...)
	}
	a.mustSync("ipo", "--full")
	got := a.user("id-ipo1")
	if got.ID != created.ID {
		t.Fatalf("the update made a new user %d", got.ID)
	}
	want = map[string]string{
		"displayName": "Name 2", "fullName": "Full 2", "email": "ipo2@example.com", "extension": "1002",
		"mobileTwinningNumber": "+39 333 0002",                                             // Update: Yes
		"loginCode":            "111", "voicemailCode": "221", "provisioningRule": "upr-1", // Update: No
	}
	for f, v := range want {
		if got.Fields[f] != v {
			t.Errorf("updated user: %s = %q, want %q", f, got.Fields[f], v)
		}
	}
}

// The Delete column: when a user leaves, the fields marked Yes are cleared
// and the fields marked No (Login Code, Voicemail Code, User Provisioning
// Rule) are kept.
func TestSeed003_LeaverClearsFieldsMarkedDelete(t *testing.T) {
	s := startSlapd(t, []ldapUser{ipOfficeUser("stay", "1"), ipOfficeUser("leave", "1")}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ipo", map[string]any{"mappings": ipOfficeMappings}))
	a.mustSync("ipo")
	if err := slapdConn(t, s).Del(delReq(peopleDN("leave"))); err != nil {
		t.Fatal(err)
	}
	a.mustSync("ipo", "--full")
	got := a.user("id-leave1")
	if got.Status == "active" {
		t.Fatalf("leaver is still active")
	}
	for _, f := range []string{"email", "extension", "mobileTwinningNumber"} {
		if got.Fields[f] != "" {
			t.Errorf("leaver's %s = %q, want it cleared (Delete: Yes)", f, got.Fields[f])
		}
	}
	for f, v := range map[string]string{"loginCode": "111", "voicemailCode": "221", "provisioningRule": "upr-1"} {
		if got.Fields[f] != v {
			t.Errorf("leaver's %s = %q, want %q kept (Delete: No)", f, got.Fields[f], v)
		}
	}
}

// "Mapping the User Identification and Name fields is mandatory for all
// operations": a mapping set without either is refused, naming the field,
// and nothing is saved.
func TestSeed003_UserIdentificationAndNameMappingsAreMandatory(t *testing.T) {
	s := startSlapd(t, nil, nil)
	for _, tc := range []struct {
		name    string
		drop    string
		missing string
	}{
		{"without user identification", "userId", "userId"},
		{"without name", "displayName", "displayName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAdmin(t)
			var ms []map[string]any
			for _, m := range ipOfficeMappings {
				if m["target"] != tc.drop {
					ms = append(ms, m)
				}
			}
			out, code := a.tryApply(slapdSource(s, "ipo", map[string]any{"mappings": ms}))
			if code != exitBadInput || !strings.Contains(out, tc.missing) {
				t.Fatalf("apply: exit %d, want %d naming %s:\n%s", code, exitBadInput, tc.missing, out)
			}
			if list := a.must("connection", "list", "--json"); strings.Contains(list, `"ipo"`) {
				t.Fatalf("the refused connection was saved: %s", list)
			}
		})
	}
}

// "Mapping the User Identification and Name fields is mandatory": a
// directory entry whose name is empty fails with a reason naming the field,
// and the others are created.
func TestSeed003_EntryWithEmptyNameFails(t *testing.T) {
	ok := ipOfficeUser("named", "1")
	noName := ipOfficeUser("noname", "1")
	noName.attrs["cn"] = []string{" "}
	s := startSlapd(t, []ldapUser{ok, noName}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ipo", map[string]any{"mappings": ipOfficeMappings}))
	rep, _ := a.sync("ipo")
	if rep.Created != 1 || rep.Failed+rep.Skipped != 1 {
		t.Fatalf("run %+v: want 1 created and the nameless entry failed", rep)
	}
	for _, o := range a.outcomes(rep.ID) {
		if (o.Action == "failed" || o.Action == "skipped") && !strings.Contains(o.Reason, "displayName") {
			t.Errorf("the nameless entry's reason does not name the field: %q", o.Reason)
		}
	}
}

// "When creating a new user, if both the Extensions and User Provisioning
// Rule have been mapped, the extension number setting in the UPR takes
// priority."
func TestSeed003_ProvisioningRuleExtensionTakesPriority(t *testing.T) {
	s := startSlapd(t, []ldapUser{ipOfficeUser("ext", "1")}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ipo", map[string]any{
		"mappings": ipOfficeMappings,
		"template": map[string]any{"extensionType": "SIP", "extensionTemplate": "default-sip", "extension": "2000"},
	}))
	a.mustSync("ipo")
	f := a.user("id-ext1").Fields
	if f["extension"] != "2000" {
		t.Fatalf("extension = %q, want the provisioning rule's 2000", f["extension"])
	}
	// "for new user creation, a 'user provisioning rule' (UPR) is used to
	// define the extension type and extension template."
	if f["extensionType"] != "SIP" || f["extensionTemplate"] != "default-sip" {
		t.Fatalf("fields %v: want the rule's extension type and template", f)
	}
}

// "An LDAP field can be mapped to several IP Office fields. For example, the
// same LDAP field can be mapped to the user Name and Full Name fields."
func TestSeed003_OneLDAPFieldMapsToSeveralFields(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "many", attrs: map[string][]string{"cn": {"Ada Lovelace"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ipo", map[string]any{"mappings": []map[string]any{
		{"source": "uid", "target": "userId"},
		{"source": "cn", "target": "displayName"},
		{"source": "cn", "target": "fullName"},
	}}))
	a.mustSync("ipo")
	u := a.user("many")
	if u.Fields["displayName"] != "Ada Lovelace" || u.Fields["fullName"] != "Ada Lovelace" {
		t.Fatalf("fields %v: want Name and Full Name both from cn", u.Fields)
	}
}

// "The LDAP data is not validated during synchronization ... those fields
// may be flagged as errors until manually corrected": a value that does not
// fit is stored and flagged, not refused.
func TestSeed003_LDAPDataIsStoredAndFlaggedNotRejected(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "bad", attrs: map[string][]string{"mail": {"not an address"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ipo", nil))
	rep := a.mustSync("ipo")
	if got := a.user("bad").Fields["email"]; got != "not an address" {
		t.Fatalf("email = %q, want the directory's value stored as it is", got)
	}
	flagged := false
	for _, o := range a.outcomes(rep.ID) {
		if o.UserID == "bad" && strings.Contains(strings.Join(o.Warnings, " "), "email") {
			flagged = true
		}
	}
	if !flagged {
		t.Fatalf("the bad email is not flagged in the run record: %+v", a.outcomes(rep.ID))
	}
}

// "The IP Office system can use LDAP user synchronization to ... delete user
// records": with the delete leave policy a user gone from the directory is
// deleted, by a full run and by an incremental one alike.
func TestSeed003_LeaverIsDeletedByFullIncrementalAndLiveRuns(t *testing.T) {
	for _, mode := range []string{"full", "incremental", "live"} {
		t.Run(mode, func(t *testing.T) {
			s := startSlapd(t, []ldapUser{{uid: "keep"}, {uid: "gone"}}, nil)
			a := newAdmin(t)
			doc := slapdSource(s, "ipo", map[string]any{"leavePolicy": map[string]any{"action": "delete"}})
			a.apply(doc)
			a.mustSync("ipo")
			if mode == "live" {
				doc["live"] = true
				a.apply(doc)
				a.startScheduler()
				time.Sleep(2 * time.Second) // let live mode attach
			}
			if err := slapdConn(t, s).Del(delReq(peopleDN("gone"))); err != nil {
				t.Fatal(err)
			}
			if mode == "live" {
				eventually(t, 30*time.Second, "live mode did not notice the leaver", func() bool {
					return len(a.active("gone")) == 0
				})
				for _, u := range a.users() {
					if u.UserID == "gone" {
						t.Fatalf("live mode left the leaver %s, want it deleted", u.Status)
					}
				}
				return
			}
			var extra []string
			if mode == "full" {
				extra = []string{"--full"}
			}
			rep := a.mustSync("ipo", extra...)
			if rep.Mode != mode || rep.Deleted != 1 {
				t.Fatalf("run %+v: want mode %s with 1 deleted", rep, mode)
			}
			for _, u := range a.users() {
				if u.UserID == "gone" {
					t.Fatalf("deleted user still listed: %+v", u)
				}
			}
		})
	}
}

// The table's "Group Membership" row is Yes in all three columns: a new
// user joins their groups, an update follows the directory, and a user who
// leaves is taken out of every group the directory gave them.
func TestSeed003_GroupMembershipFollowsNewUpdateAndDelete(t *testing.T) {
	for _, dir := range []string{"OpenLDAP", "ActiveDirectory"} {
		t.Run(dir, func(t *testing.T) {
			a := newAdmin(t)
			a.must("group", "add", "Pumps")
			a.must("group", "add", "Valves")
			var userID, conn string
			var addToValves, deleteUser func()
			if dir == "OpenLDAP" {
				s := startSlapd(t, []ldapUser{{uid: "gm"}, {uid: "other"}}, map[string][]string{"Pumps": {"gm"}, "Valves": {"other"}})
				a.apply(slapdSource(s, "ipo", nil))
				c := slapdConn(t, s)
				userID, conn = "gm", "ipo"
				addToValves = func() {
					modify(t, c, "cn=Valves,ou=groups,dc=example,dc=com", "member", peopleDN("other"), peopleDN("gm"))
				}
				deleteUser = func() {
					if err := c.Del(delReq(peopleDN("gm"))); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				ou := newOU(t)
				gm := ou.addUser("gm", samba.UserSpec{})
				ou.addGroup("Pumps", gm)
				valves := ou.addGroup("Valves", ou.addUser("other", samba.UserSpec{}))
				a.apply(ou.source("ad", map[string]any{"groupSearchPath": ou.dn}))
				userID, conn = ou.upn("gm"), "ad"
				addToValves = func() {
					req := ldap.NewModifyRequest(valves, nil)
					req.Add("member", []string{gm})
					ou.dc.Modify(t, req)
				}
				deleteUser = func() { ou.dc.Delete(t, gm) }
			}
			a.mustSync(conn)
			if _, ok := a.memberships(userID)["group:Pumps"]; !ok {
				t.Fatalf("new user did not join Pumps: %v", a.memberships(userID))
			}
			addToValves()
			a.mustSync(conn)
			if _, ok := a.memberships(userID)["group:Valves"]; !ok {
				t.Fatalf("update did not add Valves: %v", a.memberships(userID))
			}
			deleteUser()
			a.mustSync(conn, "--full")
			if m := a.memberships(userID); len(m) != 0 {
				t.Fatalf("the leaver keeps the groups %v, want none", m)
			}
		})
	}
}
