package mapping

import "testing"

// TestSeed003FieldTable encodes the New / Update / Delete field table: the
// default policy of each IP Office field.
func TestSeed003FieldTable(t *testing.T) {
	tests := []struct {
		ipOffice, field            string
		create, update, clearOnDel bool
	}{
		{"User Identification", FieldUserID, true, false, true},
		{"Name", FieldName, true, true, true},
		{"Full Name", FieldFullName, true, true, true},
		{"Email", FieldEmail, true, true, true},
		{"Extensions", FieldExtension, true, true, true},
		{"Login Code", FieldLoginCode, true, false, false},
		{"Voicemail Code", FieldVoicemailCode, true, false, false},
		{"Mobile Twinning Number", FieldMobileTwinningNumber, true, true, true},
		{"Group Membership", FieldGroups, true, true, true},
		{"User Provisioning Rule", FieldProvisioningRule, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.ipOffice, func(t *testing.T) {
			c, u, d := DefaultPolicy(tt.field)
			if c != tt.create || u != tt.update || d != tt.clearOnDel {
				t.Errorf("DefaultPolicy(%s) = new %v update %v delete %v, want %v %v %v", tt.field, c, u, d, tt.create, tt.update, tt.clearOnDel)
			}
		})
	}
}

// TestSeed003Operations runs the table through a mapper: a field marked No
// for an operation is not used by it, whatever the directory says.
func TestSeed003Operations(t *testing.T) {
	m := compile(t, Set{Mappings: []Mapping{
		{Source: "uid", Target: FieldUserID},
		{Source: "cn", Target: FieldName},
		{Source: "cn", Target: FieldFullName}, // one source, two fields
		{Source: "mail", Target: FieldEmail},
		{Source: "pin", Target: FieldLoginCode},
		{Source: "vm", Target: FieldVoicemailCode},
		{Source: "mobile", Target: FieldMobileTwinningNumber},
	}})
	r := mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "Ann Lee", "mail", "a@x.org", "pin", "1234", "vm", "9999", "mobile", "+39 333 1"))
	uid, created := m.Create(r)
	want := map[string]string{FieldName: "Ann Lee", FieldFullName: "Ann Lee", FieldEmail: "a@x.org", FieldLoginCode: "1234",
		FieldVoicemailCode: "9999", FieldMobileTwinningNumber: "+39 333 1"}
	if uid != "a" || len(created) != len(want) {
		t.Fatalf("Create = %q %v, want a %v", uid, created, want)
	}
	for k, v := range want {
		if created[k] != v {
			t.Errorf("created %s = %q, want %q", k, created[k], v)
		}
	}

	r = mapEntry(t, m, entry("uid=a", "uid", "a2", "cn", "Ann Smith", "mail", "a@y.org", "pin", "0000", "vm", "0000", "mobile", "+39 333 2"))
	uid, next, changes := m.Update(r, "a", created)
	if uid != "a" {
		t.Errorf("userId updated to %q; User Identification is not used on update", uid)
	}
	if next[FieldLoginCode] != "1234" || next[FieldVoicemailCode] != "9999" {
		t.Errorf("login/voicemail codes changed on update: %v", next)
	}
	if next[FieldName] != "Ann Smith" || next[FieldFullName] != "Ann Smith" || next[FieldEmail] != "a@y.org" || next[FieldMobileTwinningNumber] != "+39 333 2" {
		t.Errorf("update fields = %v", next)
	}
	if len(changes) != 4 {
		t.Errorf("changes = %v, want 4", changes)
	}
	got := map[string]bool{}
	for _, f := range m.ClearOnLeave() {
		got[f] = true
	}
	for f, want := range map[string]bool{FieldName: true, FieldFullName: true, FieldEmail: true, FieldMobileTwinningNumber: true,
		FieldLoginCode: false, FieldVoicemailCode: false, FieldUserID: false} {
		if got[f] != want {
			t.Errorf("ClearOnLeave has %s = %v, want %v", f, got[f], want)
		}
	}
}

func TestPolicyOverride(t *testing.T) {
	m := compile(t, Set{Mappings: required(Mapping{Source: "pin", Target: FieldLoginCode, Policy: &Policy{Update: Ptr(true)}})})
	r := mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "A", "pin", "2"))
	_, next, _ := m.Update(r, "a", map[string]string{FieldLoginCode: "1"})
	if next[FieldLoginCode] != "2" {
		t.Errorf("policy update:true ignored: %v", next)
	}
}
