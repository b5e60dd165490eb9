package upn

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSeedExamplesRoundTrip(t *testing.T) {
	for _, ex := range seedExamples() {
		t.Run(ex.name, func(t *testing.T) {
			got, err := Parse(ex.json)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got != ex.want {
				t.Errorf("Parse fields:\n got %+v\nwant %+v", got, ex.want)
			}
			if m := got.Marshal(); m != ex.json {
				t.Errorf("Marshal is not byte for byte:\n got %s\nwant %s", m, ex.json)
			}
			if m := ex.want.Marshal(); m != ex.json {
				t.Errorf("Marshal of panel settings:\n got %s\nwant %s", m, ex.json)
			}
		})
	}
}

func TestDefaultIsExample1(t *testing.T) {
	if got, want := Default().Marshal(), seedExamples()[0].json; got != want {
		t.Errorf("Default().Marshal() = %s, want %s", got, want)
	}
	for _, s := range []string{"", "  \n"} {
		got, err := Parse(s)
		if err != nil || got != Default() {
			t.Errorf("Parse(%q) = %+v, %v; want Default()", s, got, err)
		}
	}
}

func TestParseMissingKeysTakeDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want func(*Config)
	}{
		{"empty object", `{}`, func(*Config) {}},
		{"only mail fallback", `{"mailFallbackOnMissingUpn":{"enabled":true}}`,
			func(c *Config) { c.MailFallbackOnMissingUpn.Enabled = true }},
		{"partial sync object", `{"syncUpnToAdAttribute":{"enabled":true,"onWriteFailure":"error"}}`,
			func(c *Config) {
				c.SyncUpnToAdAttribute.Enabled = true
				c.SyncUpnToAdAttribute.OnWriteFailure = FailureError
			}},
		{"empty sub-objects", `{"mailFallbackOnMissingUpn":{},"syncUpnToAdAttribute":{}}`, func(*Config) {}},
		{"white space", " {\n \"schemaVersion\" : 1 }\n", func(*Config) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Default()
			tt.want(&want)
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.in, err)
			}
			if got != want {
				t.Errorf("Parse(%s)\n got %+v\nwant %+v", tt.in, got, want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		fields []string // JSON paths, in order
		texts  []string // substrings each message must contain, in order
	}{
		{
			name:   "not JSON",
			in:     `{"schemaVersion":`,
			fields: []string{""},
			texts:  []string{"not a JSON object"},
		},
		{
			name:   "array document",
			in:     `[1]`,
			fields: []string{""},
			texts:  []string{"not a JSON object"},
		},
		{
			name:   "unknown schema version",
			in:     `{"schemaVersion":2}`,
			fields: []string{"schemaVersion"},
			texts:  []string{"unsupported schema version 2"},
		},
		{
			name:   "fractional schema version",
			in:     `{"schemaVersion":1.5}`,
			fields: []string{"schemaVersion"},
			texts:  []string{"must be an integer"},
		},
		{
			name: "many problems at once",
			in: `{"schemaVersion":3,"extra":1,"mailFallbackOnMissingUpn":{"enabled":"yes","Enabled":true},` +
				`"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"proxy Addresses","multiValued":null,` +
				`"valueFormat":"quoted","prefix":"smtp:","onWriteFailure":"panic","colour":"red"}}`,
			fields: []string{
				"mailFallbackOnMissingUpn.enabled",
				"mailFallbackOnMissingUpn.Enabled",
				"syncUpnToAdAttribute.multiValued",
				"syncUpnToAdAttribute.colour",
				"extra",
				"schemaVersion",
				"syncUpnToAdAttribute.targetAttribute",
				"syncUpnToAdAttribute.valueFormat",
				"syncUpnToAdAttribute.prefix",
				"syncUpnToAdAttribute.onWriteFailure",
			},
			texts: []string{
				"must be a boolean, not a string",
				"unknown key",
				"must be a boolean, not null",
				"unknown key",
				"unknown key",
				"unsupported schema version 3",
				"not a valid LDAP attribute name",
				`unknown value format "quoted"`,
				"must not contain ':'",
				`unknown value "panic": want warn, error or ignore`,
			},
		},
		{
			name:   "empty target and prefix when enabled",
			in:     `{"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"","prefix":""}}`,
			fields: []string{"syncUpnToAdAttribute.targetAttribute", "syncUpnToAdAttribute.prefix"},
			texts:  []string{"must not be empty when sync is enabled", "must not be empty when sync is enabled and valueFormat is prefixed"},
		},
		{
			name:   "wrong object types",
			in:     `{"mailFallbackOnMissingUpn":true,"syncUpnToAdAttribute":[]}`,
			fields: []string{"mailFallbackOnMissingUpn", "syncUpnToAdAttribute"},
			texts:  []string{"must be an object, not a boolean", "must be an object, not an array"},
		},
		{
			name:   "wrong string types",
			in:     `{"syncUpnToAdAttribute":{"targetAttribute":5,"valueFormat":true,"prefix":{},"onWriteFailure":null}}`,
			fields: []string{"syncUpnToAdAttribute.targetAttribute", "syncUpnToAdAttribute.valueFormat", "syncUpnToAdAttribute.prefix", "syncUpnToAdAttribute.onWriteFailure"},
			texts:  []string{"must be a string, not a number", "must be a string, not a boolean", "must be a string, not an object", "must be a string, not null"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			fe := requireFieldErrors(t, err)
			if got := fe.Fields(); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields = %q, want %q (error: %v)", got, tt.fields, err)
			}
			for i, text := range tt.texts {
				if !strings.Contains(fe[i].Message, text) {
					t.Errorf("problem %d = %q, want it to contain %q", i, fe[i].Message, text)
				}
			}
			if !strings.HasPrefix(err.Error(), "upn: ") {
				t.Errorf("error %q lacks the upn: prefix", err)
			}
		})
	}
}

func TestPrefixKeptWhenPlain(t *testing.T) {
	c := seedConfig(4)
	c.SyncUpnToAdAttribute.Prefix = ""
	if err := c.Validate(); err != nil {
		t.Errorf("empty prefix with plain format should be valid: %v", err)
	}
	c.SyncUpnToAdAttribute.Prefix = "sip"
	if !strings.Contains(c.Marshal(), `"prefix":"sip"`) {
		t.Errorf("prefix not kept: %s", c.Marshal())
	}
}

func TestValidAttributeName(t *testing.T) {
	for _, ok := range []string{"proxyAddresses", "mail", "extensionAttribute5", "msDS-cloudExtensionAttribute1", "otherMailbox", "1.2.840.113556.1.4.656", "x"} {
		if !ValidAttributeName(ok) {
			t.Errorf("ValidAttributeName(%q) = false, want true", ok)
		}
	}
	for _, bad := range []string{"", "5mail", "proxy Addresses", "mail;binary", "-mail", "mail_x", "1..2", "1.02", "1.2.", "prøxy"} {
		if ValidAttributeName(bad) {
			t.Errorf("ValidAttributeName(%q) = true, want false", bad)
		}
	}
}

// requireFieldErrors asserts that err is a FieldErrors (through errors.As)
// matching ErrInvalidConfig, and returns it.
func requireFieldErrors(t *testing.T, err error) FieldErrors {
	t.Helper()
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not FieldErrors", err, err)
	}
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("errors.Is(%v, ErrInvalidConfig) = false", err)
	}
	return fe
}
