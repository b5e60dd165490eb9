package connection

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/certs"
)

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClient = "11111111-2222-3333-4444-555555555555"
)

// An Entra connection names its tenant, its application and one credential;
// every problem is reported at once, naming its field.
func TestEntraValidation(t *testing.T) {
	cases := []struct {
		name   string
		doc    string
		fields []string // the fields the problems must name; none means valid
	}{
		{"secret", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","clientSecret":"s3cr3t"}`, nil},
		{"domain tenant", `{"name":"e","systemType":"entra","tenantId":"contoso.onmicrosoft.com","clientId":"` + testClient + `","clientSecret":"x"}`, nil},
		{"nothing", `{"name":"e","systemType":"entra"}`, []string{"tenantId", "clientId"}},
		{"bad ids", `{"name":"e","systemType":"entra","tenantId":"not a tenant","clientId":"abc"}`, []string{"tenantId", "clientId"}},
		{"unknown cloud", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","cloud":"mars"}`, []string{"cloud"}},
		{"custom half", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","authorityHost":"https://127.0.0.1:1/"}`, []string{"graphURL"}},
		{"custom http", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","authorityHost":"http://127.0.0.1:1/","graphURL":"https://127.0.0.1:1"}`, []string{"authorityHost"}},
		{"custom and cloud", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","cloud":"china","authorityHost":"https://a.test/","graphURL":"https://g.test"}`, []string{"cloud"}},
		{"both credentials", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","clientSecret":"x","certificate":"y"}`, []string{"clientSecret"}},
		{"certificate without key", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","certificate":` + jsonString(certOnly(t)) + `}`, []string{"certificate"}},
		{"certificate garbage", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","certificate":"hello"}`, []string{"certificate"}},
		{"ldap settings", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","dnsName":"dc.example.com","security":"ldaps"}`, []string{"dnsName", "security"}},
		{"bad filter", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","filter":"department eq Sales"}`, []string{"filter"}},
		{"filter injected", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","filter":"department eq 'a' or (1 eq 1)"}`, []string{"filter"}},
		{"good filter", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","filter":"department eq 'O''Brien and Sons' and startswith(userPrincipalName,'a')"}`, nil},
		{"poll too fast", `{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","pollSeconds":1}`, []string{"pollSeconds"}},
		{"relying party", `{"name":"e","systemType":"entra","directoryType":"relyingParty","tenantId":"` + testTenant + `","clientId":"` + testClient + `"}`, []string{"directoryType"}},
		{"unknown system", `{"name":"e","systemType":"okta"}`, []string{"systemType"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("valid document refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want problems naming %v", tc.fields)
			}
			for _, f := range tc.fields {
				if !strings.Contains(err.Error(), f+":") && !strings.Contains(err.Error(), f+" ") {
					t.Errorf("error does not name %s: %v", f, err)
				}
			}
		})
	}
}

// The client secret and the certificate are credentials: they are never
// written back out, only "hasPassword".
func TestEntraCredentialNeverMarshalled(t *testing.T) {
	c, err := Parse([]byte(`{"name":"e","systemType":"entra","tenantId":"` + testTenant + `","clientId":"` + testClient + `","clientSecret":"TOPSECRET-42"}`))
	if err != nil {
		t.Fatal(err)
	}
	cred, ok := c.EntraCredential()
	if !ok || cred.ClientSecret != "TOPSECRET-42" {
		t.Fatalf("credential not kept for sealing: %+v %v", cred, ok)
	}
	for _, v := range []any{c, c.Redacted()} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "TOPSECRET") || !strings.Contains(string(b), `"hasPassword":true`) {
			t.Errorf("marshalled: %s", b)
		}
	}
	// A changed tenant or Graph URL needs the secret again.
	next := c
	next.TenantID = "contoso.onmicrosoft.com"
	if got := EndpointChanges(c, next); len(got) != 1 || got[0] != "tenantId" {
		t.Errorf("EndpointChanges = %v", got)
	}
}

func TestEntraEndpoints(t *testing.T) {
	for _, tc := range []struct{ cloud, login, graph string }{
		{"", "https://login.microsoftonline.com/", "https://graph.microsoft.com"},
		{"usGovernment", "https://login.microsoftonline.us/", "https://graph.microsoft.us"},
		{"china", "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn"},
	} {
		c, err := Parse([]byte(`{"name":"e","systemType":"entra","cloud":"` + tc.cloud + `"}`))
		if err != nil {
			t.Fatal(err)
		}
		if l, g, custom := c.Endpoints(); l != tc.login || g != tc.graph || custom {
			t.Errorf("cloud %q: %s %s %v", tc.cloud, l, g, custom)
		}
	}
}

func TestEntraFilterMatch(t *testing.T) {
	f, err := ParseEntraFilter("department eq 'Sales' and not startswith(jobTitle,'Intern') or onPremisesExtensionAttributes/extensionAttribute1 eq 'yes'")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		attrs map[string]string
		want  bool
	}{
		{map[string]string{"department": "sales", "jobTitle": "Manager"}, true},
		{map[string]string{"department": "Sales", "jobTitle": "Intern (summer)"}, false},
		{map[string]string{"department": "Ops"}, false},
		{map[string]string{"department": "Ops", "onPremisesExtensionAttributes.extensionAttribute1": "YES"}, true},
	} {
		got := f.Match(func(n string) []string {
			if v, ok := tc.attrs[n]; ok {
				return []string{v}
			}
			return nil
		})
		if got != tc.want {
			t.Errorf("%v: got %v", tc.attrs, got)
		}
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func certOnly(t *testing.T) string {
	t.Helper()
	ca, err := certs.NewCA("entra test")
	if err != nil {
		t.Fatal(err)
	}
	return string(ca.PEM)
}
