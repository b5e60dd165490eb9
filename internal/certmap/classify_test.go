package certmap

import (
	"errors"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		value  string
		kind   Kind
		strong bool
	}{
		{"X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>1200000000AC11000000002B", KindIssuerSerialNumber, true},
		{"X509:<SKI>123456789abcdef", KindSKI, true},
		{"X509:<SHA1-PUKEY>123456789abcdef", KindSHA1PublicKey, true},
		{"x509:<sha1-pukey>ed913fa41377dbfb8eac2bc6fcae71ecd4a974fd", KindSHA1PublicKey, true},
		{"X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<S>DC=com,DC=contoso,OU=UserAccounts,CN=mfatest", KindIssuerSubject, false},
		{"X509:<S>DC=com,DC=contoso,OU=UserAccounts,CN=mfatest", KindSubjectOnly, false},
		{"X509:<RFC822>user@contoso.com", KindRFC822, false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			k, err := Classify(tt.value)
			if err != nil || k != tt.kind {
				t.Fatalf("Classify = %v, %v; want %v", k, err, tt.kind)
			}
			if k.Strong() != tt.strong || IsStrong(tt.value) != tt.strong {
				t.Errorf("strong = %v, want %v", k.Strong(), tt.strong)
			}
		})
	}
	for _, bad := range []string{"", "Kerberos:jane@EXAMPLE.TEST", "X509:", "X509:CN=x", "X509:<PN>jane@example.test", "X509:<I>CN=CA", "X509:<SKI>", "X509:<>x"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, err := Classify(bad); !errors.Is(err, ErrNotMapping) {
				t.Errorf("Classify(%q) error = %v, want ErrNotMapping", bad, err)
			}
			if IsStrong(bad) {
				t.Errorf("IsStrong(%q) = true", bad)
			}
		})
	}
}

func TestParseForm(t *testing.T) {
	tests := map[string]Form{
		"issuerSerial": FormIssuerSerial, "IssuerSerial": FormIssuerSerial, "X509IssuerSerialNumber": FormIssuerSerial,
		"ski": FormSKI, " SKI ": FormSKI, "X509SKI": FormSKI,
		"sha1PublicKey": FormSHA1PublicKey, "X509SHA1PublicKey": FormSHA1PublicKey,
	}
	for in, want := range tests {
		got, err := ParseForm(in)
		if err != nil || got != want || !got.Valid() || got.String() != string(want) {
			t.Errorf("ParseForm(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "subject", "rfc822", "issuerSubject"} {
		if _, err := ParseForm(bad); !errors.Is(err, ErrUnknownForm) {
			t.Errorf("ParseForm(%q) error = %v, want ErrUnknownForm", bad, err)
		}
	}
	if Form("x").Valid() || Form("x").Kind() != "" {
		t.Error(`Form("x") should be invalid with no kind`)
	}
}
