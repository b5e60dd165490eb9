package connection

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseRefusesUnknownFields(t *testing.T) {
	_, err := Parse([]byte(`{"name":"corp","serchPath":"dc=x"}`))
	if err == nil || !strings.Contains(err.Error(), `"serchPath"`) {
		t.Fatalf("want an error naming serchPath, got %v", err)
	}
	_, err = Parse([]byte(`{"name":"corp","port":"389"}`))
	if err == nil || !strings.Contains(err.Error(), `"port"`) {
		t.Fatalf("want an error naming port, got %v", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c, err := Parse([]byte(`{"name":"Bad Name","directoryType":"sink","systemType":"ldap","dnsName":"ldap://x:389",
		"port":70000,"security":"tls","searchPath":"not a dn","searchFilter":"(uid=a","linkingKey":"bad key!",
		"deletionGuard":{"maxPercent":150}}`))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("want a *ValidationError, got %v", err)
	}
	want := []string{"name", "directoryType", "dnsName", "port", "security", "searchPath", "searchFilter", "linkingKey", "deletionGuard.maxPercent"}
	var got []string
	for _, p := range ve.Problems {
		got = append(got, p.Field)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("fields = %v, want %v", got, want)
	}
}

func TestDefaultsAndValid(t *testing.T) {
	c, err := Parse([]byte(`{"name":"corp","dnsName":"ldap.example.com","security":"ldaps","searchPath":"ou=people,dc=example,dc=com"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Port != 636 || c.DirectoryType != DirectorySource || c.RuleCriteriaAttribute != "memberOf" || c.DeletionGuard.MaxCount != DefaultGuardMaxCount || c.TLSSkipVerify {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestPasswordNeverMarshalled(t *testing.T) {
	c := Connection{Name: "corp", Password: "hunter2"}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "hunter2") || !strings.Contains(string(raw), `"hasPassword":true`) {
		t.Fatalf("marshalled: %s", raw)
	}
	if r := c.Redacted(); r.Password != "" || !r.HasPassword {
		t.Fatalf("Redacted = %+v", r)
	}
}

func TestScheduleValidation(t *testing.T) {
	tests := []struct {
		name      string
		set       func(c *Connection)
		wantField string
	}{
		{"default is nightly", func(c *Connection) {}, ""},
		{"cron in a zone", func(c *Connection) { c.Schedule, c.TimeZone = "0 2 * * *", "Europe/Berlin" }, ""},
		{"interval at the floor", func(c *Connection) { c.Schedule = "@every 5m" }, ""},
		{"too frequent", func(c *Connection) { c.Schedule = "* * * * *" }, "schedule"},
		{"too frequent interval", func(c *Connection) { c.Schedule = "@every 30s" }, "schedule"},
		{"floor lowered", func(c *Connection) { c.Schedule, c.MinInterval = "* * * * *", "1m" }, ""},
		{"bad floor", func(c *Connection) { c.MinInterval = "often" }, "minInterval"},
		{"bad cron", func(c *Connection) { c.Schedule = "0 0 * *" }, "schedule"},
		{"bad zone", func(c *Connection) { c.TimeZone = "Europe/Atlantis" }, "timeZone"},
		{"off", func(c *Connection) { c.Schedule = "off" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Connection{Name: "corp", DNSName: "ldap.example.com", SearchPath: "dc=example,dc=com"}
			c.ApplyDefaults()
			tt.set(&c)
			err := c.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != tt.wantField {
				t.Fatalf("Validate = %v, want one problem with field %q", err, tt.wantField)
			}
		})
	}
}
