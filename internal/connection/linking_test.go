package connection

import (
	"errors"
	"testing"
)

func TestRelyingPartyLink(t *testing.T) {
	tests := []struct {
		key     string
		want    Link
		wantErr bool
	}{
		{"", Link{"userId", "userPrincipalName"}, false},
		{"userPrincipalName", Link{"userId", "userPrincipalName"}, false},
		{"email=mail", Link{"email", "mail"}, false},
		{" employeeId = employeeID ", Link{"employeeId", "employeeID"}, false},
		{"email=", Link{}, true},
		{"=mail", Link{}, true},
		{"user id=mail", Link{}, true},
		{"email=mail;binary", Link{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := RelyingPartyLink(tt.key)
			if tt.wantErr {
				if !errors.Is(err, ErrBadLinkingKey) {
					t.Fatalf("RelyingPartyLink(%q) = %v, %v; want ErrBadLinkingKey", tt.key, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("RelyingPartyLink(%q) = %v, %v; want %v", tt.key, got, err, tt.want)
			}
		})
	}
}

func TestValidateReportsConfigureTwoFields(t *testing.T) {
	c := Connection{Name: "rp", DirectoryType: DirectoryRelyingParty, DNSName: "dc1", SearchPath: "DC=example,DC=test",
		LinkingKey:   "email=mail",
		ConfigureTwo: `{"schemaVersion":1,"syncUpnToAdAttribute":{"enabled":true,"onWriteFailure":"loud"}}`}
	c.ApplyDefaults()
	err := c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "configureTwo.syncUpnToAdAttribute.onWriteFailure" {
		t.Fatalf("Validate = %v, want one problem at configureTwo.syncUpnToAdAttribute.onWriteFailure", err)
	}
}
