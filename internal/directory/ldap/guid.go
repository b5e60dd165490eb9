package ldap

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// FormatGUID renders Active Directory's 16-byte objectGUID in the canonical
// text form Windows shows ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} without the
// braces). The first three groups are little-endian on the wire, which is why
// the bytes are not simply hex-encoded in order.
func FormatGUID(b []byte) string {
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b[0:4]), binary.LittleEndian.Uint16(b[4:6]),
		binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16])
}

// ParseGUID is the inverse of FormatGUID: it returns the 16 wire bytes.
func ParseGUID(s string) ([]byte, error) {
	raw, err := hex.DecodeString(strings.ReplaceAll(strings.Trim(s, "{}"), "-", ""))
	if err != nil || len(raw) != 16 {
		return nil, fmt.Errorf("ldap: %q is not a GUID", s)
	}
	out := make([]byte, 16)
	binary.LittleEndian.PutUint32(out[0:4], binary.BigEndian.Uint32(raw[0:4]))
	binary.LittleEndian.PutUint16(out[4:6], binary.BigEndian.Uint16(raw[4:6]))
	binary.LittleEndian.PutUint16(out[6:8], binary.BigEndian.Uint16(raw[6:8]))
	copy(out[8:], raw[8:])
	return out, nil
}

// GUIDFilterValue escapes a GUID's wire bytes for an LDAP filter, e.g.
// (objectGUID=\01\02...), the only way to match a binary attribute.
func GUIDFilterValue(s string) (string, error) {
	b, err := ParseGUID(s)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, c := range b {
		fmt.Fprintf(&sb, `\%02x`, c)
	}
	return sb.String(), nil
}

// FormatSID renders a binary security identifier as S-1-5-21-....
func FormatSID(b []byte) string {
	if len(b) < 8 || int(b[1])*4+8 != len(b) {
		return hex.EncodeToString(b)
	}
	var sb strings.Builder
	sb.WriteString("S-")
	sb.WriteString(strconv.Itoa(int(b[0])))
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	sb.WriteString("-")
	sb.WriteString(strconv.FormatUint(auth, 10))
	for i := 0; i < int(b[1]); i++ {
		sb.WriteString("-")
		sb.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return sb.String()
}
