package certmap

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
)

// shortNames maps attribute types to the keys Windows uses when it writes a
// distinguished name as text (CertNameToStr with CERT_X500_NAME_STR). Other
// types are written as "OID.<dotted oid>", as Windows does.
var shortNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "SERIALNUMBER",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "S",
	"2.5.4.9":                    "STREET",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "T",
	"2.5.4.13":                   "Description",
	"2.5.4.17":                   "PostalCode",
	"2.5.4.18":                   "POBox",
	"2.5.4.20":                   "Phone",
	"2.5.4.42":                   "G",
	"2.5.4.43":                   "I",
	"2.5.4.46":                   "dnQualifier",
	"1.2.840.113549.1.9.1":       "E",
	"0.9.2342.19200300.100.1.25": "DC",
}

// ADName formats a DER-encoded X.509 Name (such as Certificate.RawIssuer) the
// way altSecurityIdentities expects it: relative distinguished names in the
// order they are encoded in the certificate (the reverse of the order the
// Windows certificate dialog and RFC 4514 show), joined by commas with no
// space, so a CA named "CN=CONTOSO-DC-CA, DC=contoso, DC=com" in Windows
// becomes "DC=com,DC=contoso,CN=CONTOSO-DC-CA". Several attributes in one RDN
// are joined with "+". A value is put in double quotes, with inner quotes
// doubled, when it has leading or trailing white space or contains one of
// , + = " \ < > # ; or a newline, as CertNameToStr does.
func ADName(rawName []byte) (string, error) {
	var rdns pkix.RDNSequence
	rest, err := asn1.Unmarshal(rawName, &rdns)
	if err != nil {
		return "", fmt.Errorf("certmap: parse distinguished name: %w", err)
	}
	if len(rest) != 0 {
		return "", fmt.Errorf("certmap: parse distinguished name: %d trailing bytes", len(rest))
	}
	parts := make([]string, 0, len(rdns))
	for _, rdn := range rdns {
		attrs := make([]string, 0, len(rdn))
		for _, atv := range rdn {
			attrs = append(attrs, attrKey(atv.Type)+"="+quoteValue(atv.Value))
		}
		parts = append(parts, strings.Join(attrs, "+"))
	}
	return strings.Join(parts, ","), nil
}

// attrKey returns the Windows key for an attribute type.
func attrKey(oid asn1.ObjectIdentifier) string {
	s := oid.String()
	if k, ok := shortNames[s]; ok {
		return k
	}
	return "OID." + s
}

// quoteValue renders one attribute value.
func quoteValue(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		return "#" + strings.ToUpper(hex.EncodeToString(x))
	default:
		s = fmt.Sprint(x)
	}
	if s == "" {
		return `""`
	}
	if s != strings.TrimSpace(s) || strings.ContainsAny(s, ",+=\"\\<>#;\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
