package ldap

import (
	"bytes"
	"testing"
)

func TestGUIDRoundTrip(t *testing.T) {
	// The example from Microsoft's documentation of objectGUID byte order.
	wire := []byte{0xa4, 0xd3, 0x02, 0x9f, 0x2e, 0x1c, 0x4e, 0x47, 0x9b, 0x88, 0xdb, 0x3e, 0x1d, 0xb4, 0x5a, 0x38}
	const text = "9f02d3a4-1c2e-474e-9b88-db3e1db45a38"
	if got := FormatGUID(wire); got != text {
		t.Fatalf("FormatGUID = %s, want %s", got, text)
	}
	back, err := ParseGUID("{" + text + "}")
	if err != nil || !bytes.Equal(back, wire) {
		t.Fatalf("ParseGUID = %x, %v", back, err)
	}
	esc, _ := GUIDFilterValue(text)
	if esc != `\a4\d3\02\9f\2e\1c\4e\47\9b\88\db\3e\1d\b4\5a\38` {
		t.Fatalf("GUIDFilterValue = %s", esc)
	}
	if _, err := ParseGUID("nope"); err == nil {
		t.Fatal("ParseGUID accepted garbage")
	}
}

func TestFormatSID(t *testing.T) {
	// S-1-5-21-1-2-3-500
	b := []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xf4, 1, 0, 0}
	if got := FormatSID(b); got != "S-1-5-21-1-2-3-500" {
		t.Fatalf("FormatSID = %s", got)
	}
}
