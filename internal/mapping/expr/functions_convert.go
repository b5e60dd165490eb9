package expr

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

func init() {
	register(
		&function{name: "BitAnd", params: []string{"value1", "value2"}, eval: evalBitAnd},
		&function{name: "CBool", params: []string{"expression"}, eval: evalCBool},
		&function{name: "ConvertFromBase64", params: []string{"source", "?encoding"}, eval: evalConvertFromBase64},
		&function{name: "ConvertToBase64", params: []string{"source"}, eval: evalConvertToBase64},
		&function{name: "ConvertToUTF8Hex", params: []string{"source"}, eval: evalUnary(func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) })},
		&function{name: "IsString", params: []string{"expression"}, eval: evalIsString},
		&function{name: "StringFromSid", params: []string{"objectSid"}, eval: evalStringFromSid},
	)
}

// enumNames are the enumeration constants Microsoft's examples write
// without quotes, such as InStr("repEated", "e", 3, vbBinaryCompare). A bare
// name among them reads as the string of its canonical spelling.
var enumNames = map[string]string{}

func init() {
	for _, n := range []string{"vbBinaryCompare", "vbTextCompare", "Unicode", "UTF8", "ASCII", "CaseSensitive", "CaseInsensitive"} {
		enumNames[strings.ToLower(n)] = n
	}
}

func enumName(s string) (string, bool) {
	n, ok := enumNames[strings.ToLower(s)]
	return n, ok
}

// evalBitAnd implements BitAnd(value1, value2): the bitwise AND of two
// integers, so BitAnd(&HF, &HF7) is 7.
func evalBitAnd(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	a, err := integer(c, 0, vals[0])
	if err != nil {
		return Null(), err
	}
	b, err := integer(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	return Str(strconv.FormatInt(a&b, 10)), nil
}

// evalCBool implements CBool(expression): a boolean stays as it is, the
// text "True" or "False" (in any case) is that boolean, and a number is
// True when it is not zero. A null value is False; other text is an error.
func evalCBool(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, v)
	if err != nil {
		return Null(), err
	}
	if null {
		return Bool(false), nil
	}
	if b, ok := v.AsBool(); ok {
		return Bool(b), nil
	}
	if f, perr := strconv.ParseFloat(strings.TrimSpace(s), 64); perr == nil {
		return Bool(f != 0), nil
	}
	return Null(), fail(c, "expression is %s, expected a boolean or a number", quote(s))
}

// textEncoding returns the name of a ConvertFromBase64 encoding argument,
// "Unicode" (UTF-16 little-endian, the default), "UTF8" or "ASCII".
func textEncoding(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unicode":
		return "Unicode", true
	case "utf8", "utf-8":
		return "UTF8", true
	case "ascii":
		return "ASCII", true
	}
	return "", false
}

// evalConvertFromBase64 implements ConvertFromBase64(source, encoding):
// the base64 text decoded and read as Unicode (UTF-16 little-endian, as
// .NET names it), UTF8 or ASCII. Text that is not base64, or bytes that
// do not fit the encoding, is an error.
func evalConvertFromBase64(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, vals[0])
	if err != nil || null {
		return Null(), err
	}
	encName := ""
	if len(vals) > 1 {
		if encName, _, err = scalar(c, 1, vals[1]); err != nil {
			return Null(), err
		}
	}
	enc, ok := textEncoding(encName)
	if !ok {
		return Null(), fail(c, "encoding %s is not Unicode, UTF8 or ASCII", quote(encName))
	}
	raw, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if derr != nil {
		return Null(), fail(c, "source is not base64: %w", derr)
	}
	switch enc {
	case "UTF8":
		return Str(string(raw)), nil
	case "ASCII":
		for _, b := range raw {
			if b > 127 {
				return Null(), fail(c, "source holds byte 0x%02X, which is not ASCII", b)
			}
		}
		return Str(string(raw)), nil
	}
	if len(raw)%2 != 0 {
		return Null(), fail(c, "source decodes to %d bytes, an odd count, which is not Unicode (UTF-16)", len(raw))
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(raw[2*i:])
	}
	return Str(string(utf16.Decode(units))), nil
}

// evalConvertToBase64 implements ConvertToBase64(source): the base64 of
// the text's UTF-16 little-endian bytes (.NET's "Unicode"), so "Hello
// world!" gives "SABlAGwAbABvACAAdwBvAHIAbABkACEA".
func evalConvertToBase64(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	return mapStrings(v, func(s string) string {
		units := utf16.Encode([]rune(s))
		raw := make([]byte, 2*len(units))
		for i, u := range units {
			binary.LittleEndian.PutUint16(raw[2*i:], u)
		}
		return base64.StdEncoding.EncodeToString(raw)
	}), nil
}

// evalIsString implements IsString(expression): True when the value can be
// read as one string (a string or a boolean), False for null and for a
// value with several elements.
func evalIsString(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	return Bool(v.Kind() == KindString || v.Kind() == KindBool), nil
}

// evalStringFromSid implements StringFromSid(objectSid): the binary
// security identifier, as a directory returns objectSid, in its text form
// S-1-5-21-.... A value that is already in text form is returned as it is.
func evalStringFromSid(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, v)
	if err != nil || null {
		return Null(), err
	}
	if strings.HasPrefix(s, "S-") {
		return Str(s), nil
	}
	sid, serr := sidString([]byte(s))
	if serr != nil {
		return Null(), fail(c, "objectSid: %w", serr)
	}
	return Str(sid), nil
}

// sidString formats a binary SID: a revision byte, a count of
// sub-authorities, a 48-bit big-endian authority and the sub-authorities as
// 32-bit little-endian numbers.
func sidString(b []byte) (string, error) {
	if len(b) < 8 {
		return "", fmt.Errorf("%d bytes is too short for a security identifier", len(b))
	}
	n := int(b[1])
	if len(b) != 8+4*n {
		return "", fmt.Errorf("%d bytes do not hold the %d sub-authorities the identifier announces", len(b), n)
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "S-%d-%d", b[0], auth)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "-%d", binary.LittleEndian.Uint32(b[8+4*i:]))
	}
	return sb.String(), nil
}
