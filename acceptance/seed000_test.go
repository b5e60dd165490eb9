package acceptance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// Sentences about the Relying Party Active Directory connection, System
// Connections screens and the Advanced UPN Sync Settings (configureTwo).

// The five configureTwo documents of the Advanced UPN Sync Settings panel,
// Examples 1 to 5, exactly as the panel saves them (on one line each).
var seedExamples = []struct{ name, doc string }{
	{"Example1FeatureDisabled", `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`},
	{"Example2MailFallbackOnly", `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`},
	{"Example3ProxyAddresses", `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`},
	{"Example4PlainExtensionAttribute", `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"extensionAttribute5","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":false,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"error"}}`},
	{"Example5MailIgnoreFailures", `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"mail","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"ignore"}}`},
}

func seedExample(name string) string {
	for _, e := range seedExamples {
		if strings.HasPrefix(e.name, name) {
			return e.doc
		}
	}
	panic("no seed example " + name)
}

// "When the operator clicks Save, the panel serializes all selected options
// into a JSON document and stores it in the directory record's ConfigureTwo
// field ... Re-opening the panel for an already-configured directory reads
// the existing JSON back": every example is stored and read back byte for
// byte, through the CLI and through the API.
func TestSeed000_ConfigureTwoExamplesAreStoredAndReadBack(t *testing.T) {
	ou := newOU(t)
	a := newAdmin(t)
	a.apply(ou.relyingParty("rp", "", nil))
	api := a.serve()
	for _, ex := range seedExamples {
		t.Run("CLI/"+ex.name, func(t *testing.T) {
			a.must("connection", "configure-two", "rp", "--set", "-f", a.file("c2.json", []byte(ex.doc)))
			if got := strings.TrimSpace(a.must("connection", "configure-two", "rp")); got != ex.doc {
				t.Fatalf("read back:\n%s\nwant:\n%s", got, ex.doc)
			}
		})
		t.Run("API/"+ex.name, func(t *testing.T) {
			api.must(200, "PUT", "/api/v1/connections/rp/configure-two", ex.doc)
			got := api.must(200, "GET", "/api/v1/connections/rp/configure-two", "")
			if !sameJSONDocument(t, got, ex.doc) {
				t.Fatalf("read back:\n%s\nwant:\n%s", got, ex.doc)
			}
		})
	}
}

// sameJSONDocument says whether got holds want: either the document itself
// or a JSON object carrying it as its configureTwo string.
func sameJSONDocument(t *testing.T, got, want string) bool {
	t.Helper()
	if strings.TrimSpace(got) == want {
		return true
	}
	var wrapped struct {
		ConfigureTwo json.RawMessage `json:"configureTwo"`
	}
	if err := json.Unmarshal([]byte(got), &wrapped); err == nil && len(wrapped.ConfigureTwo) > 0 {
		var s string
		if json.Unmarshal(wrapped.ConfigureTwo, &s) == nil {
			return s == want
		}
		return string(wrapped.ConfigureTwo) == want
	}
	var a, b any
	if json.Unmarshal([]byte(got), &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	ra, _ := json.Marshal(a)
	rb, _ := json.Marshal(b)
	return string(ra) == string(rb)
}

// "Both toggles are off by default": a relying party that was never
// configured reads as mail fallback off and sync off.
func TestSeed000_BothTogglesOffByDefault(t *testing.T) {
	ou := newOU(t)
	a := newAdmin(t)
	a.apply(ou.relyingParty("rp", "", nil))
	out := strings.TrimSpace(a.must("connection", "configure-two", "rp"))
	var doc struct {
		Mail struct {
			Enabled bool `json:"enabled"`
		} `json:"mailFallbackOnMissingUpn"`
		Sync struct {
			Enabled bool `json:"enabled"`
		} `json:"syncUpnToAdAttribute"`
	}
	if out != "" {
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("configure-two printed %q: %v", out, err)
		}
	}
	if doc.Mail.Enabled || doc.Sync.Enabled {
		t.Fatalf("unconfigured relying party reads %s, want both toggles off", out)
	}
}

// "It is only available on the Edit Directory screen when the directory
// Type is Relying Party (RLPT) and the System Type is LDAP": a source
// connection carrying a configureTwo document is refused, naming the field.
func TestSeed000_ConfigureTwoOnlyForRelyingParty(t *testing.T) {
	ou := newOU(t)
	a := newAdmin(t)
	out, code := a.tryApply(ou.source("src", map[string]any{"configureTwo": seedExample("Example3")}))
	if code != exitBadInput || !strings.Contains(out, "configureTwo") {
		t.Fatalf("apply of a source with configureTwo: exit %d, want %d naming configureTwo:\n%s", code, exitBadInput, out)
	}
}

// "Bad input gets a clear error naming the field": an onWriteFailure the
// panel does not offer (warn, error, ignore) is refused and the stored
// document is kept.
func TestSeed000_InvalidConfigureTwoIsRefusedNamingTheField(t *testing.T) {
	ou := newOU(t)
	a := newAdmin(t)
	a.apply(ou.relyingParty("rp", seedExample("Example3"), nil))
	bad := strings.Replace(seedExample("Example3"), `"onWriteFailure":"warn"`, `"onWriteFailure":"explode"`, 1)
	out, errOut, code := a.run("connection", "configure-two", "rp", "--set", "-f", a.file("bad.json", []byte(bad)))
	if code != exitBadInput || !strings.Contains(out+errOut, "configureTwo.syncUpnToAdAttribute.onWriteFailure") {
		t.Fatalf("exit %d, want %d naming configureTwo.syncUpnToAdAttribute.onWriteFailure:\n%s%s", code, exitBadInput, out, errOut)
	}
	if got := strings.TrimSpace(a.must("connection", "configure-two", "rp")); got != seedExample("Example3") {
		t.Fatalf("the refused document replaced the stored one: %s", got)
	}
}

// "Enter the Friendly Name, DNS Name, Port, User name ..., Password ..., LDAP
// Search Path, LDAP Search Filter and LDAP to IDMS Linking Key ... press Add.
// ... After the system is created, locate the system and press check
// connection to verify the system is connected and operational."
func TestSeed000_AddRelyingPartyAndCheckConnection(t *testing.T) {
	ou := newOU(t)
	a := newAdmin(t)
	api := a.serve()
	doc := ou.relyingParty("rp", "", map[string]any{"friendlyName": "Corporate AD", "linkingKey": "userPrincipalName"})
	body, _ := json.Marshal(doc)
	code, out := api.do("PUT", "/api/v1/connections/rp", string(body))
	if code != 200 && code != 201 {
		t.Fatalf("PUT connection: %d %s", code, out)
	}
	list := api.must(200, "GET", "/api/v1/connections", "")
	for _, want := range []string{`"Corporate AD"`, `"relyingParty"`, ou.dc.Host, `"userPrincipalName"`, `"hasPassword": true`} {
		if !strings.Contains(strings.ReplaceAll(list, `":true`, `": true`), want) {
			t.Errorf("connection list lacks %s: %s", want, list)
		}
	}
	if strings.Contains(list, ou.dc.AdminPassword) {
		t.Fatalf("the connection list returns the password")
	}
	check := api.must(200, "POST", "/api/v1/connections/rp/check", "")
	if !strings.Contains(check, `"ok":true`) && !strings.Contains(check, `"ok": true`) {
		t.Errorf("check of a working connection: %s", check)
	}

	wrong := ou.relyingParty("rp", "", map[string]any{"password": "Wrong-Password-1"})
	a.apply(wrong)
	cout, cerr, ccode := a.run("connection", "check", "rp")
	if ccode == exitOK || !strings.Contains(strings.ToLower(cout+cerr), "credentials") {
		t.Fatalf("check with a wrong password: exit %d, want a failure naming the credentials:\n%s%s", ccode, cout, cerr)
	}
}

// "An active directory account that can access Active Directory and has
// update permission to the altSecurityIdentities attribute": checking a
// relying party whose account lacks that right reports it.
func TestSeed000_RelyingPartyCheckReportsMissingWritePermission(t *testing.T) {
	ou := newOU(t)
	ou.addUser("reader", samba.UserSpec{Password: "Reader-Pw-123"})
	a := newAdmin(t)
	a.apply(ou.relyingParty("rp", "", map[string]any{"username": ou.upn("reader"), "password": "Reader-Pw-123"}))
	out, errOut, code := a.run("connection", "check", "rp")
	if code == exitOK || !strings.Contains(out+errOut, "altSecurityIdentities") {
		t.Fatalf("check of a read-only account: exit %d, want a failure naming altSecurityIdentities:\n%s%s", code, out, errOut)
	}
}

// "It is only available on the Edit Directory screen when the directory Type
// is Relying Party (RLPT) and the System Type is LDAP; in every other case
// the button is hidden", and it sits beside the LDAP Rule Criteria
// Attribute field.
func TestSeed000_AdvancedSettingsButtonOnlyForRelyingPartyLDAP(t *testing.T) {
	ou := newOU(t)
	a := newAdmin(t)
	a.apply(ou.relyingParty("rp", seedExample("Example3"), nil))
	a.apply(ou.source("src", nil))
	api := a.serve()
	hc := api.login()
	rp := api.page(hc, "/connections/rp")
	if !strings.Contains(rp, `id="advanced-settings"`) || !strings.Contains(rp, "ruleCriteriaAttribute") {
		t.Errorf("Edit Directory of a relying party LDAP connection lacks the Advanced settings button beside the rule criteria attribute")
	}
	if src := api.page(hc, "/connections/src"); strings.Contains(src, `id="advanced-settings"`) {
		t.Errorf("Edit Directory of a source connection shows the Advanced settings button")
	}
}
