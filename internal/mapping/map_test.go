package mapping

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/mapping/scope"
)

// customFieldsExpression is the Entra custom-field expression, as the Dataflow
// screen shows it.
const customFieldsExpression = `Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))`

func TestSeed004CustomFields(t *testing.T) {
	m := compile(t, Set{Mappings: required(
		Mapping{Expression: customFieldsExpression, Target: "externalId"},
		Mapping{Expression: customFieldsExpression, Target: TargetCustomFields},
	)})
	// The example's user has no city and is an R&D Manager.
	r := mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "A", "jobTitle", "R&D Manager"))
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	f := fieldsOf(r)
	if got, want := f["externalId"], "ImagicleCustomFields$$$Custom1=$$$Custom2=R&D Manager"; got != want {
		t.Errorf("expression = %q, want the documented %q", got, want)
	}
	if got := f["Custom2"]; got != "R&D Manager" {
		t.Errorf("Custom2 = %q", got)
	}
	if _, ok := f["Custom1"]; ok {
		t.Errorf("Custom1 is filled (%q); an empty value is not provisioned", f["Custom1"])
	}
	_, created := m.Create(r)
	if created["Custom2"] != "R&D Manager" || created["Custom1"] != "" {
		t.Errorf("created = %v", created)
	}

	// With a city, Custom1 fills too.
	r = mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "A", "city", "Rome", "jobTitle", "R&D Manager"))
	if f := fieldsOf(r); f["Custom1"] != "Rome" || f["Custom2"] != "R&D Manager" {
		t.Errorf("fields = %v", f)
	}

	// Removing the custom-field mapping blanks nothing that was synced.
	m2 := compile(t, Set{Mappings: required()})
	r = mapEntry(t, m2, entry("uid=a", "uid", "a", "cn", "A"))
	_, next, _ := m2.Update(r, "a", map[string]string{"Custom1": "Rome", "Custom2": "R&D Manager"})
	if next["Custom1"] != "Rome" || next["Custom2"] != "R&D Manager" {
		t.Errorf("after removing the mapping: %v", next)
	}
}

func TestCustomFieldLimits(t *testing.T) {
	m := compile(t, Set{Mappings: required(Mapping{Expression: `Join("$$$", Append("Custom1=", [a]), Append("Custom2=", [b]))`, Target: TargetCustomFields})})
	tests := []struct {
		name, a, b, wantErr string
	}{
		{"too long", strings.Repeat("x", 257), "ok", "Custom1"},
		{"separator inside a value", "x$$$y", "ok", "$$$"},
		{"longest allowed", strings.Repeat("x", 256), "ok", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mapEntry(t, m, entry("uid=u", "uid", "u", "cn", "U", "a", tt.a, "b", tt.b))
			if tt.wantErr == "" {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				return
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), tt.wantErr) || !strings.Contains(r.Err.Error(), "customFields") {
				t.Fatalf("err = %v, want one naming %s", r.Err, tt.wantErr)
			}
		})
	}
	// A direct custom field is checked too.
	d := compile(t, Set{Mappings: required(Mapping{Source: "a", Target: "Custom3", Strict: true})})
	r := mapEntry(t, d, entry("uid=u", "uid", "u", "cn", "U", "a", strings.Repeat("y", 300)))
	if r.Err == nil || !strings.Contains(r.Err.Error(), "Custom3") {
		t.Fatalf("err = %v", r.Err)
	}
}

func TestStrength(t *testing.T) {
	m := compile(t, Set{Mappings: required(
		Mapping{Source: "cn", Target: "pbxUsername"}, // always
		Mapping{Source: "mail", Target: "ssoId", Strength: StrengthKeepExisting},
	)})
	r := mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "Ann", "mail", "ann@x.org"))
	stored := map[string]string{FieldName: "Ann", "pbxUsername": "operator edit", "ssoId": "operator edit"}
	_, next, _ := m.Update(r, "a", stored)
	if next["pbxUsername"] != "Ann" {
		t.Errorf("always did not overwrite the edit: %q", next["pbxUsername"])
	}
	if next["ssoId"] != "operator edit" {
		t.Errorf("keepExisting overwrote the edit: %q", next["ssoId"])
	}
	delete(stored, "ssoId")
	if _, next, _ = m.Update(r, "a", stored); next["ssoId"] != "ann@x.org" {
		t.Errorf("keepExisting did not fill an empty value: %q", next["ssoId"])
	}
}

func TestEmptyValues(t *testing.T) {
	m := compile(t, Set{Mappings: required(
		Mapping{Source: "title", Target: "title"},
		Mapping{Source: "mobile", Target: "mobile", ClearWhenEmpty: true},
		Mapping{Source: "l", Target: "city", Default: "Unknown"},
	)})
	stored := map[string]string{FieldName: "A", "title": "Boss", "mobile": "+1 555 1", "city": "Rome"}
	r := mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "A"))
	_, next, changes := m.Update(r, "a", stored)
	if next["title"] != "Boss" {
		t.Errorf("an empty source cleared title; an empty value must leave the field alone")
	}
	if _, ok := next["mobile"]; ok {
		t.Errorf("clearWhenEmpty did not clear mobile: %v", next)
	}
	if next["city"] != "Unknown" {
		t.Errorf("default not used: %v", next)
	}
	if len(changes) != 2 {
		t.Errorf("changes = %v", changes)
	}
}

func TestTemplate(t *testing.T) {
	tpl := &Template{TimeZone: "Europe/Rome", SystemOfMeasure: SystemMetric, Culture: "it-IT", Language: "it",
		ExtensionType: "SIP", ExtensionTemplate: "sales-sip", Extension: "200"}
	m := compile(t, Set{Mappings: required(
		Mapping{Source: "telephoneNumber", Target: FieldExtension},
		Mapping{Source: "preferredLanguage", Target: "language"},
	), Template: tpl})
	r := mapEntry(t, m, entry("uid=a", "uid", "a", "cn", "A", "telephoneNumber", "100", "preferredLanguage", "en"))
	_, f := m.Create(r)
	want := map[string]string{"timeZone": "Europe/Rome", "systemOfMeasure": "metric", "culture": "it-IT", "language": "en",
		"extensionType": "SIP", "extensionTemplate": "sales-sip", FieldExtension: "200"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("created %s = %q, want %q", k, f[k], v)
		}
	}
	// Only on create.
	_, next, _ := m.Update(r, "a", map[string]string{FieldName: "A"})
	if next["timeZone"] != "" || next[FieldExtension] != "100" {
		t.Errorf("update applied the template: %v", next)
	}
}

func TestTypedValues(t *testing.T) {
	set := func(strict bool) Set {
		return Set{Mappings: required(
			Mapping{Source: "mail", Target: FieldEmail, Strict: strict},
			Mapping{Source: "tel", Target: "telephoneNumber"},
			Mapping{Source: "lang", Target: "language"},
			Mapping{Source: "tz", Target: "timeZone"},
		)}
	}
	bad := entry("uid=a", "uid", "a", "cn", "A", "mail", "not-an-email", "tel", "call me", "lang", "english!", "tz", "Mars/Olympus")
	r := mapEntry(t, compile(t, set(false)), bad)
	if r.Err != nil || len(r.Warnings) != 4 {
		t.Fatalf("err %v, warnings %q; want 4 warnings", r.Err, r.Warnings)
	}
	for i, f := range []string{"email", "telephoneNumber", "language", "timeZone"} {
		if !strings.HasPrefix(r.Warnings[i], f+":") {
			t.Errorf("warning %d = %q, want it to name %s", i, r.Warnings[i], f)
		}
	}
	if fieldsOf(r)[FieldEmail] != "not-an-email" {
		t.Errorf("a warning blocked the value")
	}
	r = mapEntry(t, compile(t, set(true)), bad)
	if r.Err == nil || !strings.Contains(r.Err.Error(), "email:") {
		t.Fatalf("strict: err = %v", r.Err)
	}
	good := entry("uid=a", "uid", "a", "cn", "A", "mail", "a@b.org", "tel", "+39 (02) 123-45", "lang", "en-US", "tz", "Europe/Rome")
	if r := mapEntry(t, compile(t, set(true)), good); r.Err != nil || len(r.Warnings) > 0 {
		t.Errorf("good values: %v %q", r.Err, r.Warnings)
	}
}

func TestScope(t *testing.T) {
	clause := scope.Clause{Attribute: "department", Operator: scope.Equals, Value: "Sales"}
	m := compile(t, Set{Mappings: InetOrgPerson().Mappings, Scope: &Scope{Clauses: []scope.Clause{clause}}})
	if r := mapEntry(t, m, entry("uid=a", "uid", "a", "ou", "Sales")); r.OutOfScope != "" {
		t.Errorf("Sales user out of scope: %s", r.OutOfScope)
	}
	r := mapEntry(t, m, entry("uid=b", "uid", "b", "ou", "Finance"))
	if !strings.Contains(r.OutOfScope, `department EQUALS "Sales"`) {
		t.Errorf("OutOfScope = %q", r.OutOfScope)
	}
	if r := mapEntry(t, m, entry("uid=c", "uid", "c")); r.OutOfScope == "" {
		t.Errorf("a null value matched; scoping filters return false on null")
	}

	g := compile(t, Set{Mappings: required(), Scope: &Scope{Groups: []string{"cn=Sales,ou=groups,dc=x"}, Users: []string{"uid=boss,ou=people,dc=x"}}})
	if !contains(g.Attributes(), MemberOfAttribute) {
		t.Errorf("Attributes %v lacks memberOf", g.Attributes())
	}
	for _, tc := range []struct {
		e  map[string][]string
		dn string
		in bool
	}{
		{map[string][]string{"uid": {"a"}, "cn": {"A"}, "memberof": {"cn=Other,ou=groups,dc=x", "CN=Sales, OU=Groups, DC=x"}}, "uid=a,ou=people,dc=x", true},
		{map[string][]string{"uid": {"b"}, "cn": {"B"}, "memberof": {"cn=SalesNested,ou=groups,dc=x"}}, "uid=b,ou=people,dc=x", false},
		{map[string][]string{"uid": {"boss"}, "cn": {"Boss"}}, "UID=boss,ou=people,dc=x", true},
	} {
		e := entry(tc.dn)
		e.Attrs = tc.e
		if r := mapEntry(t, g, e); (r.OutOfScope == "") != tc.in {
			t.Errorf("%s: in scope = %v, want %v (%s)", tc.dn, r.OutOfScope == "", tc.in, r.OutOfScope)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func TestFingerprintCoversEverything(t *testing.T) {
	base := Set{Mappings: required()}
	fp := compile(t, base).Fingerprint()
	for name, s := range map[string]Set{
		"strength": {Mappings: required(Mapping{Source: "a", Target: "b", Strength: StrengthKeepExisting})},
		"scope":    {Mappings: required(), Scope: &Scope{Users: []string{"uid=a"}}},
		"template": {Mappings: required(), Template: &Template{TimeZone: "UTC"}},
		"policy":   {Mappings: append(required(), Mapping{Source: "a", Target: "b", Policy: &Policy{Update: Ptr(false)}})},
	} {
		if compile(t, s).Fingerprint() == fp {
			t.Errorf("changing the %s leaves the fingerprint unchanged", name)
		}
	}
}
