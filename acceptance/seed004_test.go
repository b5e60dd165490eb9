package acceptance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// Sentences about Imagicle's synchronization from an Azure AD source through an
// LDAP adapter: scope, expressions, custom fields and synch rules.

// "disabled users are not provisioned": a disabled account is not created,
// and an account disabled later makes its user inactive.
func TestSeed004_DisabledUsersAreNotProvisioned(t *testing.T) {
	ou := newOU(t)
	off := ou.addUser("off", samba.UserSpec{Disabled: true})
	later := ou.addUser("later", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	if rep := a.mustSync("ad"); rep.Created != 1 {
		t.Fatalf("run %+v: want only the enabled account created", rep)
	}
	if n := len(a.active(ou.upn("off"))); n != 0 {
		t.Fatalf("a disabled account was provisioned")
	}
	ou.dc.Disable(t, later)
	a.mustSync("ad")
	if got := a.user(ou.upn("later")).Status; got != "inactive" {
		t.Fatalf("user of an account disabled later is %s, want inactive", got)
	}
	// Adding the disabled account by hand provisions nobody, says why, and
	// a script can tell it from success: the CLI exits exitNotAdded, the
	// API answers added false with the reason.
	for _, dry := range []bool{true, false} {
		args := []string{"users", "add", "--connection", "ad", ou.upn("off")}
		if dry {
			args = append(args, "--dry-run")
		}
		out, errOut, code := a.run(args...)
		if code != exitNotAdded || !strings.Contains(strings.ToLower(errOut), "disabled") {
			t.Fatalf("users add (dry run %v) of a disabled account: exit %d, want %d with the reason on standard error:\n%s%s", dry, code, exitNotAdded, out, errOut)
		}
	}
	api := a.serve()
	for _, dry := range []bool{true, false} {
		req, _ := json.Marshal(map[string]any{"dn": off, "dryRun": dry})
		var rep struct {
			Added          bool   `json:"added"`
			NotAddedReason string `json:"notAddedReason"`
		}
		body := api.must(200, "POST", "/api/v1/connections/ad/directory-users/add", string(req))
		if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.Added || !strings.Contains(rep.NotAddedReason, "disabled") {
			t.Fatalf("API add (dry run %v) of a disabled account: want added false with the reason (%v):\n%s", dry, err, body)
		}
	}
	if n := len(a.active(ou.upn("off"))); n != 0 {
		t.Fatalf("users add provisioned a disabled account")
	}
	// An account that is added exits 0 and says added.
	ou.addUser("on", samba.UserSpec{})
	if out, errOut, code := a.run("users", "add", "--connection", "ad", ou.upn("on")); code != exitOK {
		t.Fatalf("users add of an enabled account: exit %d\n%s%s", code, out, errOut)
	}
	if n := len(a.active(ou.upn("on"))); n != 1 {
		t.Fatalf("users add did not provision an enabled account")
	}
}

// nestedFixture is group G with direct member "direct" and nested group N
// with member "nested", and returns the groups' identifiers for the scope.
type nestedFixture struct {
	a           *admin
	conn        string
	direct      string
	nested      string
	groupG      string
	groupN      string
	applyScoped func(groups ...string)
}

var nestedDirectories = []struct {
	name  string
	build func(t *testing.T) nestedFixture
}{
	{"ActiveDirectory", func(t *testing.T) nestedFixture {
		ou := newOU(t)
		d := ou.addUser("direct", samba.UserSpec{})
		n := ou.addUser("nested", samba.UserSpec{})
		ou.addUser("outside", samba.UserSpec{})
		gn := ou.addGroup("N", n)
		gg := ou.addGroup("G", d, gn)
		a := newAdmin(t)
		return nestedFixture{a: a, conn: "ad", direct: ou.upn("direct"), nested: ou.upn("nested"), groupG: gg, groupN: gn,
			applyScoped: func(groups ...string) {
				a.apply(ou.source("ad", map[string]any{"scope": map[string]any{"groups": groups}}))
			}}
	}},
	{"OpenLDAP", func(t *testing.T) nestedFixture {
		s := startSlapd(t, []ldapUser{{uid: "direct"}, {uid: "nested"}, {uid: "outside"}}, map[string][]string{"N": {"nested"}})
		gn := "cn=N,ou=groups,dc=example,dc=com"
		gg := "cn=G,ou=groups,dc=example,dc=com"
		c := slapdConn(t, s)
		req := addReq(gg, map[string][]string{"objectClass": {"groupOfNames"}, "cn": {"G"}, "member": {peopleDN("direct"), gn}})
		if err := c.Add(req); err != nil {
			t.Fatal(err)
		}
		a := newAdmin(t)
		return nestedFixture{a: a, conn: "ldap", direct: "direct", nested: "nested", groupG: gg, groupN: gn,
			applyScoped: func(groups ...string) {
				a.apply(slapdSource(s, "ldap", map[string]any{"scope": map[string]any{"groups": groups}}))
			}}
	}},
}

// "users belonging to nested groups are not provisioned: to include them you
// need to explicitly add the nested groups to the provisioning scope", and
// "Filter based on Users/Groups list": only direct members of the listed
// groups are provisioned, on AD (memberOf) and OpenLDAP (member) alike.
func TestSeed004_NestedGroupMembersNeedTheNestedGroupInScope(t *testing.T) {
	for _, d := range nestedDirectories {
		t.Run(d.name, func(t *testing.T) {
			f := d.build(t)
			f.applyScoped(f.groupG)
			f.a.mustSync(f.conn)
			if len(f.a.active(f.direct)) != 1 {
				t.Errorf("direct member of the listed group is not provisioned: %+v", f.a.users())
			}
			if len(f.a.active(f.nested)) != 0 {
				t.Errorf("member of a nested group was provisioned without its group listed")
			}
			if len(f.a.active("outside")) != 0 {
				t.Errorf("a user in no listed group was provisioned")
			}
			f.applyScoped(f.groupG, f.groupN)
			f.a.mustSync(f.conn)
			if len(f.a.active(f.nested)) != 1 {
				t.Errorf("member of the nested group, now listed, is not provisioned")
			}
		})
	}
}

// "Just tick the box besides each user or group to enable the import": a
// user listed in the scope is provisioned, the others are not.
func TestSeed004_ListedUserIsProvisioned(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "picked"}, {uid: "other"}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"scope": map[string]any{"users": []string{peopleDN("picked")}}}))
	a.mustSync("ldap")
	if len(a.active("picked")) != 1 || len(a.active("other")) != 0 {
		t.Fatalf("users %+v: want only the listed one", a.users())
	}
}

// "Multiple filtering rules are applied with 'AND' operator" and "Scoping
// filters returns 'false' if the value is null/empty."
func TestSeed004_ScopingFiltersAreANDedAndNullNeverMatches(t *testing.T) {
	s := startSlapd(t, []ldapUser{
		{uid: "both", attrs: map[string][]string{"ou": {"Sales"}, "title": {"Manager"}}},
		{uid: "salesonly", attrs: map[string][]string{"ou": {"Sales"}, "title": {"Clerk"}}},
		{uid: "titleonly", attrs: map[string][]string{"ou": {"Support"}, "title": {"Manager"}}},
		{uid: "notitle", attrs: map[string][]string{"ou": {"Sales"}}},
		{uid: "nodept", attrs: map[string][]string{"title": {"Manager"}}},
	}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"scope": map[string]any{"clauses": []map[string]any{
		{"attribute": "department", "operator": "EQUALS", "value": "Sales"},
		{"attribute": "title", "operator": "NOT EQUALS", "value": "Clerk"},
	}}}))
	a.mustSync("ldap")
	for uid, want := range map[string]int{"both": 1, "salesonly": 0, "titleonly": 0, "notitle": 0, "nodept": 0} {
		if got := len(a.active(uid)); got != want {
			t.Errorf("%s: %d active, want %d", uid, got, want)
		}
	}
}

// Imagicle's custom-field expression, with its sample values: the
// target value "ImagicleCustomFields$$$Custom1=$$$Custom2=R&D Manager"
// fills Custom2 and leaves Custom1 empty.
const customFieldsExpression = `Join("$$$", "ImagicleCustomFields", Append("Custom1=", [l]), Append("Custom2=", [title]))`

func customFieldsMappings() []map[string]any {
	return []map[string]any{
		{"source": "uid", "target": "userId"},
		{"source": "cn", "target": "displayName"},
		{"expression": customFieldsExpression, "target": "customFields"},
	}
}

// "Custom fields and relevant values are mapped through a dedicated
// 'Expression' ... each custom field is separated from the next one by
// adding '$$$' separator."
func TestSeed004_CustomFieldsExpressionFillsCustomFields(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "rd", attrs: map[string][]string{"title": {"R&D Manager"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"mappings": customFieldsMappings()}))
	a.mustSync("ldap")
	f := a.user("rd").Fields
	if f["Custom2"] != "R&D Manager" || f["Custom1"] != "" {
		t.Fatalf("fields %v: want Custom2 %q and Custom1 empty", f, "R&D Manager")
	}
}

// "Custom fields can include max 256 alphanumeric characters" and "Custom
// fields content should NOT include '$$$' string": a value that breaks
// either fails the user with the field named, the others are synced, and no
// other custom field is filled from inside a value.
func TestSeed004_CustomFieldLimitsFailTheUserNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name, title string
	}{
		{"longer than 256", strings.Repeat("x", 257)},
		{"contains the separator", "Boss$$$Custom3=injected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSlapd(t, []ldapUser{{uid: "bad", attrs: map[string][]string{"title": {tc.title}}}, {uid: "good", attrs: map[string][]string{"title": {"Fine"}}}}, nil)
			a := newAdmin(t)
			a.apply(slapdSource(s, "ldap", map[string]any{"mappings": customFieldsMappings()}))
			rep, _ := a.sync("ldap")
			if rep.Created != 1 || rep.Failed != 1 {
				t.Fatalf("run %+v: want good created and bad failed", rep)
			}
			for _, o := range a.outcomes(rep.ID) {
				if o.Action == "failed" && !strings.Contains(o.Reason, "Custom2") {
					t.Errorf("failure reason does not name Custom2: %q", o.Reason)
				}
			}
			for _, u := range a.users() {
				if u.Fields["Custom3"] != "" {
					t.Errorf("user %s got Custom3 %q from inside a value", u.UserID, u.Fields["Custom3"])
				}
			}
		})
	}
}

// "If a custom field mapping rule is removed, custom field already
// populated by the last synchronization is not blanked."
func TestSeed004_RemovedCustomFieldMappingIsNotBlanked(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "keep", attrs: map[string][]string{"title": {"Chief"}, "l": {"Rome"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"mappings": customFieldsMappings()}))
	a.mustSync("ldap")
	a.apply(slapdSource(s, "ldap", map[string]any{"mappings": []map[string]any{
		{"source": "uid", "target": "userId"},
		{"source": "cn", "target": "displayName"},
		{"expression": `Join("$$$", "ImagicleCustomFields", Append("Custom1=", [l]))`, "target": "customFields"},
	}}))
	a.mustSync("ldap")
	f := a.user("keep").Fields
	if f["Custom2"] != "Chief" || f["Custom1"] != "Rome" {
		t.Fatalf("fields %v: want Custom2 kept after its rule was removed", f)
	}
}

// "If the expression is entered with a wrong syntax ... Azure returns a
// generic 'Error 500' with no details": usersync refuses it with the field
// and the position instead, and saves nothing.
func TestSeed004_ExpressionWithWrongSyntaxIsRefusedWithPosition(t *testing.T) {
	s := startSlapd(t, nil, nil)
	a := newAdmin(t)
	out, code := a.tryApply(slapdSource(s, "ldap", map[string]any{"mappings": []map[string]any{
		{"source": "uid", "target": "userId"},
		{"source": "cn", "target": "displayName"},
		{"expression": `Join("$$$", Append("Custom1=", [l])`, "target": "customFields"},
	}}))
	if code != exitBadInput || !strings.Contains(out, "mappings[2].expression") || !strings.Contains(out, "column") {
		t.Fatalf("apply: exit %d, want %d naming mappings[2].expression and a column:\n%s", code, exitBadInput, out)
	}
}

// "Import every time from LDAP field" versus "Keep existing value": a
// keepExisting field fills an empty value once and then keeps an operator's
// edit; an always field is overwritten by every sync.
func TestSeed004_ImportEveryTimeOrKeepExistingValue(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "pbx", attrs: map[string][]string{"cn": {"Pbx Name"}, "mail": {"pbx@example.com"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"mappings": []map[string]any{
		{"source": "uid", "target": "userId"},
		{"source": "cn", "target": "displayName"},
		{"source": "cn", "target": "pbxUsername", "strength": "always"},
		{"source": "mail", "target": "ssoId", "strength": "keepExisting"},
	}}))
	a.mustSync("ldap")
	u := a.user("pbx")
	if u.Fields["ssoId"] != "pbx@example.com" {
		t.Fatalf("keepExisting did not fill the empty ssoId: %v", u.Fields)
	}
	a.must("users", "set", jsonNumber(u.ID), "ssoId", "operator@example.com")
	a.must("users", "set", jsonNumber(u.ID), "pbxUsername", "edited")
	a.mustSync("ldap")
	f := a.user("pbx").Fields
	if f["ssoId"] != "operator@example.com" {
		t.Errorf("Keep existing value: ssoId = %q, want the operator's edit kept", f["ssoId"])
	}
	if f["pbxUsername"] != "Pbx Name" {
		t.Errorf("Import every time: pbxUsername = %q, want the directory's value", f["pbxUsername"])
	}
}

// The standard mapping's "Display Name: displayName or uid or cn ... or
// mail": an entry without displayName gets the next one present.
func TestSeed004_DisplayNameFallsBackToUid(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "nodisplay", attrs: map[string][]string{"cn": {"Some Cn"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", nil))
	a.mustSync("ldap")
	if got := a.user("nodisplay").Fields["displayName"]; got != "nodisplay" {
		t.Fatalf("displayName = %q, want the uid", got)
	}
}

// "Null/empty user fields are not provisioned ... if a synchronized user
// property is cleared on Azure, the change will not reflect": a cleared
// attribute leaves the field as it was, unless the mapping says
// clearWhenEmpty.
func TestSeed004_ClearedAttributeKeepsFieldUnlessClearWhenEmpty(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "clr", attrs: map[string][]string{"title": {"Chief"}, "ou": {"Sales"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"mappings": []map[string]any{
		{"source": "uid", "target": "userId"},
		{"source": "cn", "target": "displayName"},
		{"source": "title", "target": "title"},
		{"source": "ou", "target": "department", "clearWhenEmpty": true},
	}}))
	a.mustSync("ldap")
	c := slapdConn(t, s)
	modify(t, c, peopleDN("clr"), "title")
	modify(t, c, peopleDN("clr"), "ou")
	a.mustSync("ldap")
	f := a.user("clr").Fields
	if f["title"] != "Chief" {
		t.Errorf("title = %q, want it kept when the attribute is cleared", f["title"])
	}
	if f["department"] != "" {
		t.Errorf("department = %q, want it cleared (clearWhenEmpty)", f["department"])
	}
}

// "Interval between each users' synch can't be below 40 minutes": usersync
// refuses a schedule more frequent than its minimum interval, naming the
// field.
func TestSeed004_TooFrequentScheduleIsRefused(t *testing.T) {
	s := startSlapd(t, nil, nil)
	a := newAdmin(t)
	out, code := a.tryApply(slapdSource(s, "ldap", map[string]any{"schedule": "@every 1m"}))
	if code != exitBadInput || !strings.Contains(out, "schedule") {
		t.Fatalf("apply: exit %d, want %d naming schedule:\n%s", code, exitBadInput, out)
	}
}

// "wait for automatic synch performed during night time (midnight, by
// default)": a connection without a schedule runs next at midnight.
func TestSeed004_DefaultScheduleIsMidnight(t *testing.T) {
	s := startSlapd(t, nil, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"timeZone": "UTC"}))
	out := a.must("schedule", "list", "--json")
	if !strings.Contains(out, "T00:00:00") {
		t.Fatalf("schedule list: %s\nwant the next run at midnight", out)
	}
}

// "Server Port (389 for standard AD/LDAP, 636 for secure LDAP) 1636; Use
// secure connection": LDAPS on a non-standard port works and is verified.
func TestSeed004_SecureConnectionOnCustomPort(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "tls"}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", map[string]any{"port": s.TLSPort, "security": "ldaps", "caCertificate": string(s.CAPEM)}))
	out := a.must("connection", "check", "ldap")
	if !strings.Contains(out, "certificate verified") {
		t.Errorf("check does not say the certificate was verified:\n%s", out)
	}
	a.mustSync("ldap")
	if len(a.active("tls")) != 1 {
		t.Fatalf("nothing synced over LDAPS")
	}
}

// "Filtering is not supported for multi-valued attributes": a multi-valued
// attribute mapped to a single field must not lose values silently; the
// run flags the user's field.
func TestSeed004_MultiValuedSourceIntoOneFieldIsFlagged(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "multi", attrs: map[string][]string{"telephoneNumber": {"+39 06 1", "+39 06 2"}}}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", nil))
	rep := a.mustSync("ldap")
	flagged := false
	for _, o := range a.outcomes(rep.ID) {
		if strings.Contains(strings.Join(o.Warnings, " "), "telephoneNumber") {
			flagged = true
		}
	}
	if !flagged && !strings.Contains(strings.Join(rep.Warnings, " "), "telephoneNumber") {
		t.Fatalf("two telephoneNumber values went into one field without a warning: %+v", a.user("multi").Fields)
	}
}

// "Imagicle Users' database supports 10 custom fields": a mapping to an
// eleventh is refused, naming the target.
func TestSeed004_OnlyTenCustomFields(t *testing.T) {
	s := startSlapd(t, nil, nil)
	a := newAdmin(t)
	out, code := a.tryApply(slapdSource(s, "ldap", map[string]any{"mappings": []map[string]any{
		{"source": "uid", "target": "userId"},
		{"source": "cn", "target": "displayName"},
		{"source": "title", "target": "Custom11"},
	}}))
	if code != exitBadInput || !strings.Contains(out, "mappings[2].target") {
		t.Fatalf("apply: exit %d, want %d naming mappings[2].target:\n%s", code, exitBadInput, out)
	}
}

// "Restart provisioning ... This is triggering a new provisioning from
// scratch": after a restart the next run reads everything.
func TestSeed004_RestartRunsFromScratch(t *testing.T) {
	s := startSlapd(t, []ldapUser{{uid: "r1"}, {uid: "r2"}}, nil)
	a := newAdmin(t)
	a.apply(slapdSource(s, "ldap", nil))
	a.mustSync("ldap")
	if rep := a.mustSync("ldap"); rep.Mode != "incremental" {
		t.Fatalf("second run is %s, want incremental before the restart", rep.Mode)
	}
	a.must("schedule", "restart", "ldap")
	rep := a.mustSync("ldap")
	if rep.Mode != "full" || rep.EntriesRead != 2 {
		t.Fatalf("run after restart %+v: want a full read of both entries", rep)
	}
}
