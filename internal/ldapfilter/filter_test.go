package ldapfilter

import (
	"strconv"
	"strings"
	"testing"
)

// entry is a test entry: attribute names are looked up ignoring case.
type entry map[string][]string

func (e entry) Values(attr string) []string {
	for name, vals := range e {
		if strings.EqualFold(name, attr) {
			return vals
		}
	}
	return nil
}

var alice = entry{
	"objectClass":        {"top", "person"},
	"cn":                 {"Alice Liddell", "a*b", "(x)"},
	"sn":                 {"Liddell"},
	"employeeNumber":     {"10"},
	"userAccountControl": {"514"},
	"member":             {"CN=Bob,DC=example,DC=com"},
}

// byIntegers orders values that are both integers numerically, as a server
// whose schema gives them integerOrderingMatch does.
func byIntegers(_, have, want string) int {
	x, errX := strconv.Atoi(have)
	y, errY := strconv.Atoi(want)
	if errX != nil || errY != nil {
		return CompareFold(have, want)
	}
	return x - y
}

func TestMatch(t *testing.T) {
	adRules := Rules{Extensible: map[string]func(attr, have, want string) bool{
		RuleBitAnd:  BitAnd,
		RuleBitOr:   BitOr,
		RuleInChain: func(_, have, want string) bool { return SameDN(have, want) },
	}}
	byInteger := Rules{Order: byIntegers}
	tests := []struct {
		name   string
		filter string
		rules  Rules
		want   bool
	}{
		{"equality ignores the value's case", "(sn=LIDDELL)", Rules{}, true},
		{"equality ignores the attribute name's case", "(SN=liddell)", Rules{}, true},
		{"equality of another value", "(sn=Smith)", Rules{}, false},
		{"any value of several matches", "(cn=alice liddell)", Rules{}, true},
		{"an escaped star is a literal star", `(cn=a\2ab)`, Rules{}, true},
		{"an escaped star is not a wildcard", `(cn=a\2a)`, Rules{}, false},
		{"escaped parentheses are literal", `(cn=\28x\29)`, Rules{}, true},
		{"approximate match is equality", "(sn~=liddell)", Rules{}, true},
		{"presence", "(sn=*)", Rules{}, true},
		{"presence of an absent attribute", "(mail=*)", Rules{}, false},
		{"equality on an absent attribute", "(mail=alice@example.com)", Rules{}, false},
		{"NOT of an absent attribute's equality", "(!(mail=alice@example.com))", Rules{}, true},
		{"NOT of an absent attribute's presence", "(!(mail=*))", Rules{}, true},
		{"NOT of a match", "(!(sn=liddell))", Rules{}, false},
		{"AND of matches", "(&(objectClass=person)(sn=liddell))", Rules{}, true},
		{"AND with one miss", "(&(objectClass=person)(sn=smith))", Rules{}, false},
		{"OR with one match", "(|(sn=smith)(sn=liddell))", Rules{}, true},
		{"OR of misses", "(|(sn=smith)(mail=*))", Rules{}, false},
		{"initial substring ignores case", "(sn=LID*)", Rules{}, true},
		{"final substring", "(sn=*dell)", Rules{}, true},
		{"any substring", "(sn=*dd*)", Rules{}, true},
		{"initial, any and final in order", "(cn=a*ce*dell)", Rules{}, true},
		{"any parts out of order", "(cn=a*dell*ce)", Rules{}, false},
		{"initial and final may not overlap", "(sn=liddel*dell)", Rules{}, false},
		{"empty substrings between stars are skipped", "(sn=l**l)", Rules{}, true},
		{"stars alone match any value", "(sn=**)", Rules{}, true},
		{"stars alone on an absent attribute", "(mail=**)", Rules{}, false},
		{"an escaped star inside substrings", `(cn=*\2a*)`, Rules{}, true},
		{"substrings on an absent attribute", "(mail=a*)", Rules{}, false},
		{"NOT of substrings on an absent attribute", "(!(mail=a*))", Rules{}, true},
		{"strings order by their text: 10 is below 9", "(employeeNumber>=9)", Rules{}, false},
		{"strings order ignoring case", "(sn>=LIDDELL)", Rules{}, true},
		{"less or equal on strings", "(sn<=m)", Rules{}, true},
		{"an ordering rule can compare integers", "(employeeNumber>=9)", byInteger, true},
		{"integer ordering, less or equal", "(employeeNumber<=9)", byInteger, false},
		{"ordering on an absent attribute", "(mail>=a)", Rules{}, false},
		{"extensible match without a rule is equality", "(sn:=LIDDELL)", Rules{}, true},
		{"an unknown matching rule is false", "(sn:1.2.3.4:=liddell)", Rules{}, false},
		{"NOT of an unknown matching rule", "(!(sn:1.2.3.4:=liddell))", Rules{}, true},
		{"extensible match without an attribute is false", "(:1.2.840.113556.1.4.803:=2)", adRules, false},
		{"bit-and: every bit set", "(userAccountControl:1.2.840.113556.1.4.803:=514)", adRules, true},
		{"bit-and: one bit missing", "(userAccountControl:1.2.840.113556.1.4.803:=3)", adRules, false},
		{"bit-or: one bit set", "(userAccountControl:1.2.840.113556.1.4.804:=3)", adRules, true},
		{"bit-or: no bit set", "(userAccountControl:1.2.840.113556.1.4.804:=1)", adRules, false},
		{"bit-and of a value that is not an integer", "(sn:1.2.840.113556.1.4.803:=2)", adRules, false},
		{"bit-and is unknown without the hook", "(userAccountControl:1.2.840.113556.1.4.803:=2)", Rules{}, false},
		{"in-chain through the hook", "(member:1.2.840.113556.1.4.1941:=cn=bob,dc=example,dc=com)", adRules, true},
		{"an equality rule of the server's own", "(sn=l-i-d-d-e-l-l)", Rules{Equal: func(_, have, want string) bool {
			return strings.EqualFold(have, strings.ReplaceAll(want, "-", ""))
		}}, true},
		{"the empty filter is objectClass present", "", Rules{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Compile(tt.filter, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(alice); got != tt.want {
				t.Errorf("%s matches = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func TestCompileRefusesMalformedFilters(t *testing.T) {
	for _, s := range []string{"(cn=", "cn=alice", "(&(cn=a)", `(cn=\zz)`} {
		if _, err := Compile(s, Rules{}); err == nil || !strings.HasPrefix(err.Error(), "ldapfilter: ") {
			t.Errorf("Compile(%q) error = %v, want one starting ldapfilter:", s, err)
		}
	}
}

func TestRequiredEquality(t *testing.T) {
	indexed := func(attr string) bool { return strings.EqualFold(attr, "uid") || strings.EqualFold(attr, "mail") }
	tests := []struct {
		filter            string
		wantAttr, wantVal string
		wantOK            bool
	}{
		{"(uid=alice)", "uid", "alice", true},
		{"(UID~=alice)", "UID", "alice", true},
		{"(&(objectClass=person)(mail=a@example.com))", "mail", "a@example.com", true},
		{"(|(uid=alice)(uid=bob))", "", "", false},
		{"(!(uid=alice))", "", "", false},
		{"(uid=ali*)", "", "", false},
		{"(&(objectClass=person)(sn=liddell))", "", "", false},
		{"(&(objectClass=person)(|(uid=alice)(uid=bob)))", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := Compile(tt.filter, Rules{})
			if err != nil {
				t.Fatal(err)
			}
			attr, val, ok := f.RequiredEquality(indexed)
			if attr != tt.wantAttr || val != tt.wantVal || ok != tt.wantOK {
				t.Errorf("RequiredEquality = %q, %q, %v; want %q, %q, %v", attr, val, ok, tt.wantAttr, tt.wantVal, tt.wantOK)
			}
		})
	}
}

func TestSameDN(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"CN=Bob,DC=example,DC=com", "cn=bob, dc=example, dc=com", true},
		{"cn=bob,dc=example,dc=com", "cn=carol,dc=example,dc=com", false},
		{"not a dn", "NOT A DN", true},
		{`cn=a\,b,dc=com`, `CN=A\2cB,DC=COM`, true},
	}
	for _, tt := range tests {
		if got := SameDN(tt.a, tt.b); got != tt.want {
			t.Errorf("SameDN(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
