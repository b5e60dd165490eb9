package ldap

// A minimal BER decoder for the only LDAP responses a bulk read needs:
// SearchResultEntry, SearchResultReference and SearchResultDone, with the
// paged-results control (RFC 4511, RFC 2696).
//
// Why not go-ldap's decoder: go-asn1-ber turns every element of every message
// into a *ber.Packet with a child slice, a copied byte buffer, a decoded Go
// value and a description string, and go-ldap then copies names and values
// again into an *ldap.Entry. Profiles of a 100,000-user sync show that work
// (and the garbage collection it causes) as two thirds of the CPU, capping a
// read at about 20,000 entries per second per core where ldapsearch reaches
// 80,000. This decoder walks each message in place, as slices of one reused
// buffer, and allocates per entry only what the entry keeps: one string
// holding the DN and every value, one []string backing, and the map.
//
// It accepts only what RFC 4511 section 5.1 allows an LDAP server to send:
// definite lengths, at most four length octets, single-octet tags. Anything
// else is an error, never a guess.

import (
	"errors"
	"fmt"
)

// errBER marks a malformed message. The read that met it is incomplete.
var errBER = errors.New("malformed BER")

// BER tags used by the decoder.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagEnumerated  = 0x0a
	tagBoolean     = 0x01
	tagSequence    = 0x30
	tagSet         = 0x31
	tagControls    = 0xa0 // [0] constructed, in LDAPMessage
	tagReferral    = 0xa3 // [3] constructed, in LDAPResult

	tagSearchEntry     = 0x64 // [APPLICATION 4] constructed
	tagSearchDone      = 0x65 // [APPLICATION 5] constructed
	tagSearchReference = 0x73 // [APPLICATION 19] constructed
	tagExtendedResp    = 0x78 // [APPLICATION 24] constructed
)

// maxLengthOctets bounds the long form of a length: four octets describe up
// to 4 GiB, far beyond any message this reader accepts.
const maxLengthOctets = 4

// tlv splits the first element off b: its tag, its contents and what follows.
func tlv(b []byte) (tag byte, val, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, fmt.Errorf("%w: truncated element header", errBER)
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, fmt.Errorf("%w: multi-octet tag 0x%02x", errBER, tag)
	}
	n, hdr, err := length(b[1:])
	if err != nil {
		return 0, nil, nil, err
	}
	b = b[1+hdr:]
	if n > len(b) {
		return 0, nil, nil, fmt.Errorf("%w: element of %d bytes overruns its container of %d", errBER, n, len(b))
	}
	return tag, b[:n], b[n:], nil
}

// length decodes a definite length; hdr is how many octets it used.
func length(b []byte) (n, hdr int, err error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("%w: missing length", errBER)
	}
	first := b[0]
	if first < 0x80 {
		return int(first), 1, nil
	}
	k := int(first & 0x7f)
	if k == 0 {
		return 0, 0, fmt.Errorf("%w: indefinite length (RFC 4511 forbids it)", errBER)
	}
	if k > maxLengthOctets {
		return 0, 0, fmt.Errorf("%w: length of %d octets", errBER, k)
	}
	if len(b) < 1+k {
		return 0, 0, fmt.Errorf("%w: truncated length", errBER)
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	if n < 0 {
		return 0, 0, fmt.Errorf("%w: negative length", errBER)
	}
	return n, 1 + k, nil
}

// expect splits off the first element and checks its tag.
func expect(b []byte, want byte, what string) (val, rest []byte, err error) {
	tag, val, rest, err := tlv(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	if tag != want {
		return nil, nil, fmt.Errorf("%w: %s has tag 0x%02x, want 0x%02x", errBER, what, tag, want)
	}
	return val, rest, nil
}

// integer decodes a two's-complement INTEGER or ENUMERATED of up to 8 octets.
func integer(val []byte) (int64, error) {
	if len(val) == 0 || len(val) > 8 {
		return 0, fmt.Errorf("%w: integer of %d octets", errBER, len(val))
	}
	var n int64
	if val[0]&0x80 != 0 {
		n = -1
	}
	for _, c := range val {
		n = n<<8 | int64(c)
	}
	return n, nil
}

// message is one LDAPMessage, its parts slices of the read buffer.
type message struct {
	id       int64
	op       byte   // the protocolOp's tag
	body     []byte // the protocolOp's contents
	controls []byte // the contents of [0] Controls, or nil
}

// parseMessage decodes the contents of an LDAPMessage SEQUENCE.
func parseMessage(b []byte) (message, error) {
	var m message
	idv, rest, err := expect(b, tagInteger, "messageID")
	if err != nil {
		return m, err
	}
	if m.id, err = integer(idv); err != nil {
		return m, fmt.Errorf("messageID: %w", err)
	}
	if m.op, m.body, rest, err = tlv(rest); err != nil {
		return m, fmt.Errorf("protocolOp: %w", err)
	}
	if len(rest) > 0 {
		var tag byte
		if tag, m.controls, rest, err = tlv(rest); err != nil {
			return m, fmt.Errorf("controls: %w", err)
		}
		if tag != tagControls {
			return m, fmt.Errorf("%w: element 0x%02x after protocolOp", errBER, tag)
		}
		if len(rest) > 0 {
			return m, fmt.Errorf("%w: %d trailing bytes in message", errBER, len(rest))
		}
	}
	return m, nil
}

// result is an LDAPResult (RFC 4511 section 4.1.9).
type result struct {
	code        int64
	matchedDN   string
	diagnostic  string
	hasReferral bool
}

// parseResult decodes the contents of an LDAPResult-shaped response.
func parseResult(b []byte) (result, error) {
	var r result
	v, rest, err := expect(b, tagEnumerated, "resultCode")
	if err != nil {
		return r, err
	}
	if r.code, err = integer(v); err != nil {
		return r, fmt.Errorf("resultCode: %w", err)
	}
	if v, rest, err = expect(rest, tagOctetString, "matchedDN"); err != nil {
		return r, err
	}
	r.matchedDN = string(v)
	if v, rest, err = expect(rest, tagOctetString, "diagnosticMessage"); err != nil {
		return r, err
	}
	r.diagnostic = string(v)
	if len(rest) > 0 {
		if _, rest, err = expect(rest, tagReferral, "referral"); err != nil {
			return r, err
		}
		r.hasReferral = true
		if len(rest) > 0 {
			return r, fmt.Errorf("%w: %d trailing bytes in result", errBER, len(rest))
		}
	}
	return r, nil
}

// oidPaging is the simple paged results control (RFC 2696).
const oidPaging = "1.2.840.113556.1.4.319"

// pagingCookie finds the paged-results control among a message's controls and
// returns its cookie; found is false when the server sent no such control.
func pagingCookie(controls []byte) (cookie []byte, found bool, err error) {
	for len(controls) > 0 {
		var ctl []byte
		if ctl, controls, err = expect(controls, tagSequence, "control"); err != nil {
			return nil, false, err
		}
		oid, rest, err := expect(ctl, tagOctetString, "controlType")
		if err != nil {
			return nil, false, err
		}
		if string(oid) != oidPaging {
			continue
		}
		if len(rest) > 0 && rest[0] == tagBoolean {
			if _, rest, err = expect(rest, tagBoolean, "criticality"); err != nil {
				return nil, false, err
			}
		}
		if len(rest) == 0 {
			return nil, false, fmt.Errorf("%w: paged results control without a value", errBER)
		}
		value, _, err := expect(rest, tagOctetString, "controlValue")
		if err != nil {
			return nil, false, err
		}
		seq, _, err := expect(value, tagSequence, "paged results value")
		if err != nil {
			return nil, false, err
		}
		size, rest, err := expect(seq, tagInteger, "paged results size")
		if err != nil {
			return nil, false, err
		}
		if _, err := integer(size); err != nil {
			return nil, false, fmt.Errorf("paged results size: %w", err)
		}
		cookie, _, err := expect(rest, tagOctetString, "paged results cookie")
		if err != nil {
			return nil, false, err
		}
		return cookie, true, nil
	}
	return nil, false, nil
}
