package certmap

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors for computing mappings.
var (
	// ErrNoSKI means the certificate has no subject key identifier
	// extension, so the X509:<SKI> form cannot be computed.
	ErrNoSKI = errors.New("certmap: certificate has no subject key identifier extension")
	// ErrNoCertificate means the input holds no PEM CERTIFICATE block and
	// is not a DER certificate.
	ErrNoCertificate = errors.New("certmap: no certificate found")
)

// ParseCertificate reads one certificate, PEM ("-----BEGIN CERTIFICATE-----",
// the first such block is used) or DER.
func ParseCertificate(data []byte) (*x509.Certificate, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certmap: parse PEM certificate: %w", err)
			}
			return cert, nil
		}
	}
	if len(data) == 0 || data[0] != 0x30 { // a DER SEQUENCE
		return nil, ErrNoCertificate
	}
	cert, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("certmap: parse DER certificate: %w", err)
	}
	return cert, nil
}

// Mapping returns the altSecurityIdentities value of form f for cert.
func Mapping(cert *x509.Certificate, f Form) (string, error) {
	switch f {
	case FormIssuerSerial:
		return IssuerSerial(cert)
	case FormSKI:
		return SKI(cert)
	case FormSHA1PublicKey:
		return SHA1PublicKey(cert), nil
	}
	return "", fmt.Errorf("%w %q", ErrUnknownForm, string(f))
}

// IssuerSerial returns X509:<I>IssuerName<SR>SerialNumberReversedHex: the
// issuer in ADName form and the serial number's bytes, as encoded in the
// certificate, in reverse order, as upper-case hex. KB5014754's example: a
// certificate with serial number 2B0000000011AC0000000012 issued by
// "CN=CONTOSO-DC-CA, DC=contoso, DC=com" maps as
// X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>1200000000AC11000000002B.
func IssuerSerial(cert *x509.Certificate) (string, error) {
	issuer, err := ADName(cert.RawIssuer)
	if err != nil {
		return "", err
	}
	serial, err := rawSerial(cert.RawTBSCertificate)
	if err != nil {
		return "", err
	}
	rev := slices.Clone(serial)
	slices.Reverse(rev)
	return "X509:<I>" + issuer + "<SR>" + upperHex(rev), nil
}

// SKI returns X509:<SKI> followed by the subject key identifier extension's
// value in upper-case hex. It fails with ErrNoSKI when the certificate has no
// such extension; the identifier is never derived from the key, because the
// domain controller compares against the extension.
func SKI(cert *x509.Certificate) (string, error) {
	if len(cert.SubjectKeyId) == 0 {
		return "", ErrNoSKI
	}
	return "X509:<SKI>" + upperHex(cert.SubjectKeyId), nil
}

// SHA1PublicKey returns X509:<SHA1-PUKEY> followed by the SHA-1 hash of the
// whole DER-encoded certificate (its "thumbprint"), in upper-case hex.
//
// Despite the name, this is what Microsoft's tooling puts there: the
// Microsoft Entra PowerShell module's Get-EntraUserCertificateUserIdsFromCertificate
// (github.com/microsoftgraph/entra-powershell,
// module/Entra/Microsoft.Entra/CertificateBasedAuthentication/Get-EntraUserCertificateUserIdsFromCertificate.ps1)
// builds the value from X509Certificate2.GetCertHashString(), the SHA-1 of
// the certificate's raw bytes, and AD CS sync tools that write
// altSecurityIdentities (for example AADx509Sync) use the CA database's
// CertificateHash, also the certificate's SHA-1 thumbprint. KB5014754
// itself names the type X509SHA1PublicKey and gives no algorithm.
func SHA1PublicKey(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return "X509:<SHA1-PUKEY>" + upperHex(sum[:])
}

// StrongMappings returns every strong mapping that can be computed for cert,
// in the order of Forms; the SKI form is left out when the certificate has
// no subject key identifier.
func StrongMappings(cert *x509.Certificate) ([]string, error) {
	out := make([]string, 0, len(Forms))
	for _, f := range Forms {
		m, err := Mapping(cert, f)
		if errors.Is(err, ErrNoSKI) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// rawSerial returns the content bytes of the serialNumber INTEGER as encoded
// in the TBSCertificate, including a leading 0x00 sign byte if there is one,
// which is what Windows keeps in CERT_INFO.SerialNumber.
func rawSerial(tbs []byte) ([]byte, error) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(tbs, &seq); err != nil {
		return nil, fmt.Errorf("certmap: parse TBSCertificate: %w", err)
	}
	var field asn1.RawValue
	rest, err := asn1.Unmarshal(seq.Bytes, &field)
	if err != nil {
		return nil, fmt.Errorf("certmap: parse TBSCertificate: %w", err)
	}
	if field.Class == asn1.ClassContextSpecific && field.Tag == 0 { // [0] version
		if _, err := asn1.Unmarshal(rest, &field); err != nil {
			return nil, fmt.Errorf("certmap: parse serial number: %w", err)
		}
	}
	if field.Class != asn1.ClassUniversal || field.Tag != asn1.TagInteger || len(field.Bytes) == 0 {
		return nil, errors.New("certmap: parse serial number: not an INTEGER")
	}
	return field.Bytes, nil
}

// upperHex encodes b as upper-case hex.
func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
