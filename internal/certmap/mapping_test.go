package certmap

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidDC = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
)

// contosoCA is the issuer of KB5014754's example, encoded in the order
// DC=com, DC=contoso, CN=CONTOSO-DC-CA (Windows shows it reversed).
var contosoCA = pkix.RDNSequence{
	{{Type: oidDC, Value: "com"}},
	{{Type: oidDC, Value: "contoso"}},
	{{Type: oidCN, Value: "CONTOSO-DC-CA"}},
}

// newCert issues a leaf certificate with the given serial number and subject
// key identifier from a fresh CA whose subject is issuer, and returns the
// leaf's DER bytes.
func newCert(t *testing.T, issuer pkix.RDNSequence, serial *big.Int, ski []byte) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rawIssuer, err := asn1.Marshal(issuer)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), RawSubject: rawIssuer,
		NotBefore: now, NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "jane.doe"},
		NotBefore:    now, NotAfter: now.Add(time.Hour),
		SubjectKeyId: ski,
	}
	der, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// parse parses DER bytes, failing the test on error.
func parse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func hexInt(t *testing.T, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return n
}

func TestIssuerSerialKB5014754Example(t *testing.T) {
	cert := parse(t, newCert(t, contosoCA, hexInt(t, "2B0000000011AC0000000012"), nil))
	got, err := IssuerSerial(cert)
	if err != nil {
		t.Fatal(err)
	}
	const want = "X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>1200000000AC11000000002B"
	if got != want {
		t.Errorf("IssuerSerial = %s\n           want %s", got, want)
	}
}

func TestIssuerSerial(t *testing.T) {
	tests := []struct {
		name   string
		issuer pkix.RDNSequence
		serial string
		want   string
	}{
		{
			name:   "sign byte kept, as Windows stores it",
			issuer: contosoCA, serial: "8001",
			want: "X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>018000",
		},
		{
			name:   "one-byte serial",
			issuer: pkix.RDNSequence{{{Type: oidCN, Value: "Root"}}}, serial: "2A",
			want: "X509:<I>CN=Root<SR>2A",
		},
		{
			name: "quoting and multi-valued RDN",
			issuer: pkix.RDNSequence{
				{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "US"}},
				{{Type: oidO, Value: "Contoso, Inc."}},
				{{Type: oidOU, Value: "PKI"}, {Type: oidOU, Value: `Say "hi"`}},
				{{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: "x"}},
				{{Type: oidCN, Value: "Issuing CA 1"}},
			},
			serial: "0102",
			want:   `X509:<I>C=US,O="Contoso, Inc.",OU=PKI+OU="Say ""hi""",OID.1.2.3.4=x,CN=Issuing CA 1<SR>0201`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert := parse(t, newCert(t, tt.issuer, hexInt(t, tt.serial), nil))
			got, err := IssuerSerial(cert)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("IssuerSerial = %s\n           want %s", got, tt.want)
			}
			if k, err := Classify(got); err != nil || k != KindIssuerSerialNumber || !k.Strong() {
				t.Errorf("Classify(%s) = %v, %v", got, k, err)
			}
		})
	}
}

func TestSKI(t *testing.T) {
	ski := []byte{0xdd, 0xde, 0x2c, 0xa4, 0xb8, 0x6d, 0xb8, 0xa9, 0x08, 0xb9, 0x5c, 0x6c, 0xbc, 0xc8, 0xbb, 0x1a, 0xc7, 0xa0, 0x9a, 0x41}
	cert := parse(t, newCert(t, contosoCA, big.NewInt(7), ski))
	got, err := SKI(cert)
	if err != nil {
		t.Fatal(err)
	}
	if want := "X509:<SKI>DDDE2CA4B86DB8A908B95C6CBCC8BB1AC7A09A41"; got != want {
		t.Errorf("SKI = %s, want %s", got, want)
	}

	noSKI := parse(t, newCert(t, contosoCA, big.NewInt(8), nil))
	if _, err := SKI(noSKI); !errors.Is(err, ErrNoSKI) {
		t.Errorf("SKI without extension: err = %v, want ErrNoSKI", err)
	}
	all, err := StrongMappings(noSKI)
	if err != nil || len(all) != 2 {
		t.Errorf("StrongMappings without SKI = %q, %v; want issuer/serial and SHA1", all, err)
	}
}

func TestSHA1PublicKeyIsCertificateHash(t *testing.T) {
	der := newCert(t, contosoCA, big.NewInt(9), nil)
	cert := parse(t, der)
	sum := sha1.Sum(der)
	want := "X509:<SHA1-PUKEY>" + strings.ToUpper(hex.EncodeToString(sum[:]))
	if got := SHA1PublicKey(cert); got != want {
		t.Errorf("SHA1PublicKey = %s, want %s", got, want)
	}
}

func TestMappingAndParseCertificate(t *testing.T) {
	der := newCert(t, contosoCA, hexInt(t, "2B0000000011AC0000000012"), []byte{0xAB, 0xCD})
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	withKeyFirst := append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), pemBytes...)
	for name, in := range map[string][]byte{"der": der, "pem": pemBytes, "pem after another block": withKeyFirst} {
		t.Run(name, func(t *testing.T) {
			cert, err := ParseCertificate(in)
			if err != nil {
				t.Fatal(err)
			}
			all, err := StrongMappings(cert)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 3 || all[0] != "X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>1200000000AC11000000002B" || all[1] != "X509:<SKI>ABCD" {
				t.Errorf("StrongMappings = %q", all)
			}
			for i, f := range Forms {
				m, err := Mapping(cert, f)
				if err != nil || m != all[i] {
					t.Errorf("Mapping(%s) = %q, %v; want %q", f, m, err, all[i])
				}
				if k, _ := Classify(m); k != f.Kind() || !IsStrong(m) {
					t.Errorf("Classify(%s) = %v, want %v", m, k, f.Kind())
				}
			}
		})
	}
	for name, in := range map[string][]byte{"empty": nil, "text": []byte("hello"), "bad pem": []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "bad der": {0x30, 0x03, 0x02, 0x01, 0x01}} {
		if _, err := ParseCertificate(in); err == nil {
			t.Errorf("ParseCertificate(%s) succeeded", name)
		}
	}
	if _, err := Mapping(parse(t, der), Form("thumbprint")); !errors.Is(err, ErrUnknownForm) {
		t.Errorf("Mapping with unknown form: %v", err)
	}
}
