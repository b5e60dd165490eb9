package ldap

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	ldapv3 "github.com/go-ldap/ldap/v3"
)

// testAttr is one attribute of a test entry, in wire order.
type testAttr struct {
	name string
	vals []string
}

// entryMessage encodes a whole LDAPMessage holding a SearchResultEntry with
// go-asn1-ber, the independent encoder the decoder is checked against.
func entryMessage(t testing.TB, id int64, dn string, attrs []testAttr) []byte {
	t.Helper()
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, ""))
	e := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldapv3.ApplicationSearchResultEntry, nil, "")
	e.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, dn, ""))
	list := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
	for _, a := range attrs {
		seq := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
		seq.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, a.name, ""))
		set := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "")
		for _, v := range a.vals {
			set.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, ""))
		}
		seq.AppendChild(set)
		list.AppendChild(seq)
	}
	e.AppendChild(list)
	p.AppendChild(e)
	return p.Bytes()
}

// doneMessage encodes a SearchResultDone, with a paging control carrying
// cookie when withPaging is set.
func doneMessage(t testing.TB, id int64, code int64, diag string, withPaging bool, cookie string) []byte {
	t.Helper()
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, ""))
	d := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldapv3.ApplicationSearchResultDone, nil, "")
	d.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, code, ""))
	d.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
	d.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, diag, ""))
	p.AppendChild(d)
	if withPaging {
		ctl := ldapv3.NewControlPaging(1000)
		ctl.SetCookie([]byte(cookie))
		ctls := ber.Encode(ber.ClassContext, ber.TypeConstructed, 0, nil, "")
		ctls.AppendChild(ctl.Encode())
		p.AppendChild(ctls)
	}
	return p.Bytes()
}

// contents strips the outer SEQUENCE header, as msgReader does.
func contents(t testing.TB, msg []byte) []byte {
	t.Helper()
	r := &msgReader{r: bufio.NewReader(bytes.NewReader(msg))}
	b, err := r.next()
	if err != nil {
		t.Fatalf("framing a valid message: %v", err)
	}
	return append([]byte(nil), b...)
}

func TestDecodeEntry(t *testing.T) {
	guid := string([]byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff})
	tests := []struct {
		name  string
		dn    string
		attrs []testAttr
		want  map[string][]string
	}{
		{"plain", "uid=a,ou=people,dc=example,dc=com",
			[]testAttr{{"uid", []string{"a"}}, {"mail", []string{"a@example.com"}}},
			map[string][]string{"uid": {"a"}, "mail": {"a@example.com"}}},
		{"names lower-cased, several values", "cn=x",
			[]testAttr{{"entryUUID", []string{"u-1"}}, {"objectClass", []string{"top", "person", "inetOrgPerson"}}},
			map[string][]string{"entryuuid": {"u-1"}, "objectclass": {"top", "person", "inetOrgPerson"}}},
		{"no attributes", "cn=empty", nil, map[string][]string{}},
		{"attribute without values", "cn=x", []testAttr{{"mail", nil}, {"sn", []string{""}}},
			map[string][]string{"mail": {}, "sn": {""}}},
		{"binary identifiers formatted", "cn=x", []testAttr{{"objectGUID", []string{guid}}, {"cn", []string{"x"}}},
			map[string][]string{"objectguid": {FormatGUID([]byte(guid))}, "cn": {"x"}}},
		{"non-ASCII values kept as sent", "cn=Zoë", []testAttr{{"cn", []string{"Zoë", "日本"}}},
			map[string][]string{"cn": {"Zoë", "日本"}}},
	}
	d := newEntryDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMessage(contents(t, entryMessage(t, 7, tt.dn, tt.attrs)))
			if err != nil {
				t.Fatal(err)
			}
			if m.id != 7 || m.op != tagSearchEntry || m.controls != nil {
				t.Fatalf("message = id %d op 0x%02x controls %v", m.id, m.op, m.controls)
			}
			e, err := d.decode(m.body)
			if err != nil {
				t.Fatal(err)
			}
			if e.DN != tt.dn || !reflect.DeepEqual(e.Attrs, tt.want) {
				t.Fatalf("got %q %#v, want %q %#v", e.DN, e.Attrs, tt.dn, tt.want)
			}
		})
	}
}

// TestDecodedValuesAreIndependent checks that values of one entry survive
// the decoding of the next, since the read buffer is reused.
func TestDecodedValuesAreIndependent(t *testing.T) {
	msgs := entryMessage(t, 1, "uid=a", []testAttr{{"uid", []string{"aaaa"}}})
	msgs = append(msgs, entryMessage(t, 1, "uid=b", []testAttr{{"uid", []string{"bbbb"}}})...)
	r := &msgReader{r: bufio.NewReader(bytes.NewReader(msgs))}
	d := newEntryDecoder()
	var got []string
	for range 2 {
		raw, err := r.next()
		if err != nil {
			t.Fatal(err)
		}
		m, err := parseMessage(raw)
		if err != nil {
			t.Fatal(err)
		}
		e, err := d.decode(m.body)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.DN, e.Get("uid"))
	}
	if want := []string{"uid=a", "aaaa", "uid=b", "bbbb"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := r.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last message: %v, want io.EOF", err)
	}
}

func TestParseDone(t *testing.T) {
	tests := []struct {
		name       string
		msg        []byte
		code       int64
		diag       string
		cookie     string
		hasPaging  bool
		wantErrSub string
	}{
		{"last page", doneMessage(t, 3, 0, "", true, ""), 0, "", "", true, ""},
		{"more pages", doneMessage(t, 3, 0, "", true, "\x01\x02cookie"), 0, "", "\x01\x02cookie", true, ""},
		{"paging ignored", doneMessage(t, 3, 0, "", false, ""), 0, "", "", false, ""},
		{"size limit", doneMessage(t, 3, 4, "size limit exceeded", false, ""), 4, "size limit exceeded", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMessage(contents(t, tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			res, err := parseResult(m.body)
			if err != nil {
				t.Fatal(err)
			}
			cookie, found, err := pagingCookie(m.controls)
			if err != nil {
				t.Fatal(err)
			}
			if m.op != tagSearchDone || res.code != tt.code || res.diagnostic != tt.diag || found != tt.hasPaging || string(cookie) != tt.cookie {
				t.Fatalf("got op 0x%02x code %d diag %q paging %v cookie %q", m.op, res.code, res.diagnostic, found, cookie)
			}
		})
	}
}

// TestMalformedMessages feeds broken input to every layer: each must fail
// with errBER (or an unexpected EOF from the framing), never panic, never
// succeed.
func TestMalformedMessages(t *testing.T) {
	entry := contents(t, entryMessage(t, 9, "uid=a,dc=x", []testAttr{{"uid", []string{"a"}}, {"cn", []string{"A", "B"}}}))
	done := contents(t, doneMessage(t, 9, 0, "", true, "abc"))
	tests := []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"one byte", []byte{0x02}},
		{"id not an integer", []byte{0x04, 0x01, 0x01, 0x64, 0x00}},
		{"id too long", []byte{0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x64, 0x00}},
		{"id empty", []byte{0x02, 0x00, 0x64, 0x00}},
		{"no protocolOp", []byte{0x02, 0x01, 0x01}},
		{"indefinite length", []byte{0x02, 0x01, 0x01, 0x64, 0x80, 0x00, 0x00}},
		{"five length octets", []byte{0x02, 0x01, 0x01, 0x64, 0x85, 0, 0, 0, 0, 1, 0}},
		{"length overruns", []byte{0x02, 0x01, 0x01, 0x64, 0x10, 0x04}},
		{"truncated long length", []byte{0x02, 0x01, 0x01, 0x64, 0x82, 0x01}},
		{"multi-octet tag", []byte{0x02, 0x01, 0x01, 0x7f, 0x01, 0x00}},
		{"element after controls", append(append([]byte(nil), done...), 0x04, 0x00)},
		{"non-control after op", []byte{0x02, 0x01, 0x01, 0x65, 0x00, 0x04, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMessage(tt.body)
			if err == nil {
				_, err = newEntryDecoder().decode(m.body)
				if m.op != tagSearchEntry {
					_, err = parseResult(m.body)
				}
			}
			if !errors.Is(err, errBER) {
				t.Fatalf("got %v, want errBER", err)
			}
		})
	}
	// Every strict prefix of a valid entry or done message, and every
	// single-byte corruption of its structure, must fail cleanly.
	for _, valid := range [][]byte{entry, done} {
		for i := range len(valid) {
			checkNoPanic(t, valid[:i])
			for _, b := range []byte{0x00, 0x80, 0xff} {
				c := append([]byte(nil), valid...)
				c[i] = b
				checkNoPanic(t, c)
			}
		}
	}
	entryBodyCases := []struct {
		name string
		body []byte
	}{
		{"dn not an octet string", []byte{0x02, 0x00, 0x30, 0x00}},
		{"attributes not a sequence", []byte{0x04, 0x00, 0x31, 0x00}},
		{"value set not a set", []byte{0x04, 0x00, 0x30, 0x07, 0x30, 0x05, 0x04, 0x01, 'a', 0x30, 0x00}},
		{"value not an octet string", []byte{0x04, 0x00, 0x30, 0x09, 0x30, 0x07, 0x04, 0x01, 'a', 0x31, 0x02, 0x02, 0x00}},
		{"trailing bytes", []byte{0x04, 0x00, 0x30, 0x00, 0x00}},
	}
	for _, tt := range entryBodyCases {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newEntryDecoder().decode(tt.body); !errors.Is(err, errBER) {
				t.Fatalf("got %v, want errBER", err)
			}
		})
	}
}

// checkNoPanic runs every decoder on b; errors are expected, panics are not.
func checkNoPanic(t *testing.T, b []byte) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic on %x: %v", b, r)
		}
	}()
	decodeAll(b)
}

// decodeAll is what the fuzz target and checkNoPanic run: the message, then
// whatever its operation holds.
func decodeAll(b []byte) error {
	m, err := parseMessage(b)
	if err != nil {
		return err
	}
	switch m.op {
	case tagSearchEntry:
		_, err = newEntryDecoder().decode(m.body)
	default:
		if _, err = parseResult(m.body); err == nil {
			_, _, err = pagingCookie(m.controls)
		}
	}
	return err
}

func TestFramingRejectsBadHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"not a sequence", []byte{0x04, 0x00}, "not a SEQUENCE"},
		{"indefinite", []byte{0x30, 0x80}, "length form"},
		{"too many length octets", []byte{0x30, 0x85, 1, 1, 1, 1, 1}, "length form"},
		{"over the size limit", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, "exceeds"},
		{"truncated body", []byte{0x30, 0x05, 0x02}, "unexpected EOF"},
		{"truncated length", []byte{0x30, 0x82, 0x01}, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &msgReader{r: bufio.NewReader(bytes.NewReader(tt.in))}
			_, err := r.next()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzDecodeMessage throws arbitrary bytes at the decoders: they may refuse
// anything, but must never panic, and an entry they accept must be sane.
func FuzzDecodeMessage(f *testing.F) {
	f.Add(contents(f, entryMessage(f, 1, "uid=a", []testAttr{{"uid", []string{"a"}}, {"objectGUID", []string{"0123456789abcdef"}}})))
	f.Add(contents(f, doneMessage(f, 1, 0, "", true, "cookie")))
	f.Add(contents(f, doneMessage(f, 1, 53, "unwilling", false, "")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if decodeAll(b) != nil {
			return
		}
		m, _ := parseMessage(b)
		if m.op == tagSearchEntry {
			e, err := newEntryDecoder().decode(m.body)
			if err != nil || e == nil || len(e.DN) > len(b) {
				t.Fatalf("accepted entry is inconsistent: %v %v", e, err)
			}
		}
	})
}
