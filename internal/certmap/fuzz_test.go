package certmap

import (
	"errors"
	"testing"
)

// FuzzClassify reads arbitrary altSecurityIdentities values, as found in a
// directory: Classify never panics, and anything it does not recognise is
// ErrNotMapping, never a value mistaken for a strong mapping.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>1200000000AC11000000002B",
		"X509:<SKI>123456789abcdef", "X509:<SHA1-PUKEY>0123456789abcdef0123456789abcdef01234567",
		"X509:<I>DC=com,CN=CA<S>CN=user", "X509:<S>CN=user", "X509:<RFC822>user@contoso.com",
		"Kerberos:user@REALM", "X509:", "X509:<", "x509:<ski>", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Classify(s)
		if err != nil {
			if !errors.Is(err, ErrNotMapping) {
				t.Fatalf("Classify(%q) error %v is not ErrNotMapping", s, err)
			}
			if IsStrong(s) {
				t.Fatalf("IsStrong(%q) for a value Classify rejects", s)
			}
			return
		}
		if k.Strong() != IsStrong(s) {
			t.Fatalf("Classify(%q) = %s (strong %v) but IsStrong = %v", s, k, k.Strong(), IsStrong(s))
		}
	})
}

// FuzzADName reads arbitrary DER as a certificate's issuer name: ADName
// never panics and fails with an error for anything that is not one.
func FuzzADName(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 't', 'e', 's', 't'})
	f.Add([]byte{0x30, 0x80})
	f.Fuzz(func(t *testing.T, der []byte) {
		_, _ = ADName(der)
	})
}
