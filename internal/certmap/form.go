package certmap

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownForm means a string names no strong mapping form.
var ErrUnknownForm = errors.New("certmap: unknown mapping form")

// Form is a strong mapping form usersync can compute from a certificate and
// write into altSecurityIdentities.
type Form string

// The strong forms of KB5014754.
const (
	// FormIssuerSerial is X509:<I>IssuerName<SR>SerialNumberReversedHex.
	FormIssuerSerial Form = "issuerSerial"
	// FormSKI is X509:<SKI>SubjectKeyIdentifier.
	FormSKI Form = "ski"
	// FormSHA1PublicKey is X509:<SHA1-PUKEY>SHA1Hash.
	FormSHA1PublicKey Form = "sha1PublicKey"
)

// Forms lists every Form, in Microsoft's order of preference.
var Forms = []Form{FormIssuerSerial, FormSKI, FormSHA1PublicKey}

// ParseForm returns the Form named by s: "issuerSerial", "ski" or
// "sha1PublicKey", matched case-insensitively. KB5014754's type names
// (X509IssuerSerialNumber, X509SKI, X509SHA1PublicKey) are accepted too.
func ParseForm(s string) (Form, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "issuerserial", "x509issuerserialnumber":
		return FormIssuerSerial, nil
	case "ski", "x509ski":
		return FormSKI, nil
	case "sha1publickey", "x509sha1publickey":
		return FormSHA1PublicKey, nil
	}
	return "", fmt.Errorf("%w %q: want issuerSerial, ski or sha1PublicKey", ErrUnknownForm, s)
}

// Valid reports whether f is one of the defined forms.
func (f Form) Valid() bool {
	return f == FormIssuerSerial || f == FormSKI || f == FormSHA1PublicKey
}

// Kind returns the KB5014754 mapping type the form produces.
func (f Form) Kind() Kind {
	switch f {
	case FormIssuerSerial:
		return KindIssuerSerialNumber
	case FormSKI:
		return KindSKI
	case FormSHA1PublicKey:
		return KindSHA1PublicKey
	}
	return ""
}

// String returns the form's configuration spelling.
func (f Form) String() string { return string(f) }
