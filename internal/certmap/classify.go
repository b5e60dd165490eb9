package certmap

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotMapping means a string is not an X509 altSecurityIdentities mapping
// usersync recognises (for example a "Kerberos:" value or an unknown tag).
var ErrNotMapping = errors.New("certmap: not a recognised X509 certificate mapping")

// Kind is a mapping type named as in KB5014754.
type Kind string

// The mapping types of KB5014754.
const (
	// KindIssuerSerialNumber is X509:<I>...<SR>... (strong).
	KindIssuerSerialNumber Kind = "X509IssuerSerialNumber"
	// KindSKI is X509:<SKI>... (strong).
	KindSKI Kind = "X509SKI"
	// KindSHA1PublicKey is X509:<SHA1-PUKEY>... (strong).
	KindSHA1PublicKey Kind = "X509SHA1PublicKey"
	// KindIssuerSubject is X509:<I>...<S>... (weak).
	KindIssuerSubject Kind = "X509IssuerSubject"
	// KindSubjectOnly is X509:<S>... (weak).
	KindSubjectOnly Kind = "X509SubjectOnly"
	// KindRFC822 is X509:<RFC822>... (weak).
	KindRFC822 Kind = "X509RFC822"
)

// Strong reports whether KB5014754 counts k as a strong mapping, one that
// domain controllers still accept under full enforcement.
func (k Kind) Strong() bool {
	return k == KindIssuerSerialNumber || k == KindSKI || k == KindSHA1PublicKey
}

// String returns the KB5014754 name of k.
func (k Kind) String() string { return string(k) }

// Classify returns the mapping type of an altSecurityIdentities value. The
// "X509:" prefix and the tags are matched case-insensitively; a value that is
// not an X509 mapping, or whose tags fit no KB5014754 type, gives an error
// wrapping ErrNotMapping.
func Classify(value string) (Kind, error) {
	const prefix = "x509:"
	if len(value) < len(prefix) || !strings.EqualFold(value[:len(prefix)], prefix) {
		return "", fmt.Errorf("%w: %q does not start with \"X509:\"", ErrNotMapping, value)
	}
	rest := value[len(prefix):]
	tag, body, ok := cutTag(rest)
	if !ok {
		return "", fmt.Errorf("%w: %q has no <TAG> after \"X509:\"", ErrNotMapping, value)
	}
	var kind Kind
	switch tag {
	case "SKI":
		kind = KindSKI
	case "SHA1-PUKEY":
		kind = KindSHA1PublicKey
	case "RFC822":
		kind = KindRFC822
	case "S":
		kind = KindSubjectOnly
	case "I":
		switch upper := strings.ToUpper(body); {
		case strings.Contains(upper, "<SR>"):
			kind = KindIssuerSerialNumber
		case strings.Contains(upper, "<S>"):
			kind = KindIssuerSubject
		default:
			return "", fmt.Errorf("%w: %q has <I> but neither <SR> nor <S>", ErrNotMapping, value)
		}
	default:
		return "", fmt.Errorf("%w: %q has unknown tag <%s>", ErrNotMapping, value, tag)
	}
	if kind != KindIssuerSerialNumber && kind != KindIssuerSubject && strings.TrimSpace(body) == "" {
		return "", fmt.Errorf("%w: %q has an empty <%s> value", ErrNotMapping, value, tag)
	}
	return kind, nil
}

// IsStrong reports whether value is a strong KB5014754 mapping. Values that
// are not recognised mappings are not strong.
func IsStrong(value string) bool {
	k, err := Classify(value)
	return err == nil && k.Strong()
}

// cutTag splits "<TAG>rest" into the upper-cased TAG and rest.
func cutTag(s string) (tag, rest string, ok bool) {
	if !strings.HasPrefix(s, "<") {
		return "", "", false
	}
	end := strings.IndexByte(s, '>')
	if end < 2 {
		return "", "", false
	}
	return strings.ToUpper(s[1:end]), s[end+1:], true
}
