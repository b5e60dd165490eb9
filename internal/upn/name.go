package upn

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// MaxLength is the longest userPrincipalName Active Directory stores (the
// attribute's rangeUpper, [MS-ADLS] userPrincipalName).
const MaxLength = 1024

// ErrInvalidUPN is matched (with errors.Is) by every error ParseUPN and
// Normalize return for a malformed name; the more specific sentinels below
// wrap it.
var ErrInvalidUPN = errors.New("invalid UPN")

// Sentinel errors for the ways a UPN can be malformed.
var (
	// ErrEmpty means the name is empty or white space.
	ErrEmpty = fmt.Errorf("%w: empty name", ErrInvalidUPN)
	// ErrMissingAt means there is no '@' between login name and domain.
	ErrMissingAt = fmt.Errorf("%w: no '@' between user login name and domain specifier", ErrInvalidUPN)
	// ErrSeveralAt means the name has more than one '@'.
	ErrSeveralAt = fmt.Errorf("%w: more than one '@'", ErrInvalidUPN)
	// ErrEmptyLogin means the part before '@' (or after '\') is empty.
	ErrEmptyLogin = fmt.Errorf("%w: empty user login name", ErrInvalidUPN)
	// ErrEmptyDomain means the part after '@' is empty.
	ErrEmptyDomain = fmt.Errorf("%w: empty domain specifier", ErrInvalidUPN)
	// ErrInvalidLogin means the login name holds a character AD forbids.
	ErrInvalidLogin = fmt.Errorf("%w: invalid user login name", ErrInvalidUPN)
	// ErrInvalidDomain means the domain specifier is not a DNS-style name.
	ErrInvalidDomain = fmt.Errorf("%w: invalid domain specifier", ErrInvalidUPN)
	// ErrTooLong means the UPN is longer than MaxLength characters.
	ErrTooLong = fmt.Errorf("%w: longer than %d characters", ErrInvalidUPN, MaxLength)
	// ErrNoDefaultDomain means a bare login name was given and no default
	// domain is configured.
	ErrNoDefaultDomain = fmt.Errorf("%w: bare login name and no default domain", ErrInvalidUPN)
	// ErrUnknownNetBIOS means a DOMAIN\login name names a NetBIOS domain
	// that is not in the map given to Normalize.
	ErrUnknownNetBIOS = fmt.Errorf("%w: unknown NetBIOS domain", ErrInvalidUPN)
)

// forbiddenLogin holds the printable characters Active Directory does not
// allow in a logon name (the sAMAccountName rule, which the UPN prefix
// follows), plus '@', which separates the two parts.
const forbiddenLogin = `"/\[]:;|=,+*?<>@`

// UPN is a parsed user principal name, {User Login Name}@{Domain Specifier}.
// Case is preserved; compare with EqualFold.
type UPN struct {
	// Login is the user login name, the part before '@'.
	Login string
	// Domain is the domain specifier, the part after '@', at domain level
	// (corp.example.test) or forest level (example.test).
	Domain string
}

// String returns "login@domain".
func (u UPN) String() string { return u.Login + "@" + u.Domain }

// EqualFold reports whether u and v name the same principal, comparing case
// insensitively as Active Directory does.
func (u UPN) EqualFold(v UPN) bool {
	return strings.EqualFold(u.Login, v.Login) && strings.EqualFold(u.Domain, v.Domain)
}

// Key returns a case-folded form of u for use as a map key, so that names
// differing only in case share one key.
func (u UPN) Key() string { return Fold(u.String()) }

// EqualFold reports whether two UPN strings (or any two directory strings)
// are equal under Active Directory's case-insensitive comparison.
func EqualFold(a, b string) bool { return strings.EqualFold(a, b) }

// Fold returns s in the case-folded form used for case-insensitive keys.
func Fold(s string) string { return strings.ToLower(s) }

// ParseUPN splits s, which must be "login@domain", into its two parts and
// checks them against Active Directory's rules: neither part empty, exactly
// one '@', no forbidden or control characters in the login name, a DNS-style
// domain specifier, and at most MaxLength characters overall. Leading and
// trailing white space is rejected rather than trimmed.
func ParseUPN(s string) (UPN, error) {
	if strings.TrimSpace(s) == "" {
		return UPN{}, fmt.Errorf("upn: parse %q: %w", s, ErrEmpty)
	}
	if n := len([]rune(s)); n > MaxLength {
		return UPN{}, fmt.Errorf("upn: parse %q: %w (%d)", s, ErrTooLong, n)
	}
	switch strings.Count(s, "@") {
	case 0:
		return UPN{}, fmt.Errorf("upn: parse %q: %w", s, ErrMissingAt)
	case 1:
	default:
		return UPN{}, fmt.Errorf("upn: parse %q: %w", s, ErrSeveralAt)
	}
	login, domain, _ := strings.Cut(s, "@")
	u := UPN{Login: login, Domain: domain}
	if err := checkLogin(login); err != nil {
		return UPN{}, fmt.Errorf("upn: parse %q: %w", s, err)
	}
	if err := checkDomain(domain); err != nil {
		return UPN{}, fmt.Errorf("upn: parse %q: %w", s, err)
	}
	return u, nil
}

// Normalize turns any of the three forms a user name is typed in into a UPN:
// "login@domain" as is, "DOMAIN\login" by looking the NetBIOS domain name up
// (case-insensitively) in netbiosToDomain, and a bare "login" by appending
// defaultDomain. Surrounding white space is trimmed. It fails with
// ErrNoDefaultDomain for a bare login when defaultDomain is empty, and with
// ErrUnknownNetBIOS for a NetBIOS name missing from the map.
func Normalize(name, defaultDomain string, netbiosToDomain map[string]string) (UPN, error) {
	s := strings.TrimSpace(name)
	switch {
	case s == "":
		return UPN{}, fmt.Errorf("upn: normalize %q: %w", name, ErrEmpty)
	case strings.Contains(s, `\`):
		nb, login, _ := strings.Cut(s, `\`)
		if nb == "" {
			return UPN{}, fmt.Errorf("upn: normalize %q: %w: empty NetBIOS domain before '\\'", name, ErrInvalidUPN)
		}
		if strings.Contains(s, "@") {
			return UPN{}, fmt.Errorf("upn: normalize %q: %w: both '\\' and '@'", name, ErrInvalidUPN)
		}
		domain, ok := lookupFold(netbiosToDomain, nb)
		if !ok {
			return UPN{}, fmt.Errorf("upn: normalize %q: %w %q", name, ErrUnknownNetBIOS, nb)
		}
		return build(name, login, domain)
	case strings.Contains(s, "@"):
		return ParseUPN(s)
	default:
		if strings.TrimSpace(defaultDomain) == "" {
			return UPN{}, fmt.Errorf("upn: normalize %q: %w", name, ErrNoDefaultDomain)
		}
		return build(name, s, strings.TrimSpace(defaultDomain))
	}
}

// build checks login and domain as ParseUPN would and joins them.
func build(name, login, domain string) (UPN, error) {
	u, err := ParseUPN(login + "@" + domain)
	if err != nil {
		return UPN{}, fmt.Errorf("upn: normalize %q: %w", name, errors.Unwrap(err))
	}
	return u, nil
}

// lookupFold finds key in m, ignoring case.
func lookupFold(m map[string]string, key string) (string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

// checkLogin applies AD's logon-name rules to the part before '@'.
func checkLogin(login string) error {
	if login == "" {
		return ErrEmptyLogin
	}
	if strings.TrimSpace(login) != login {
		return fmt.Errorf("%w: leading or trailing white space", ErrInvalidLogin)
	}
	for i, r := range login {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: control character %U at byte %d", ErrInvalidLogin, r, i)
		}
		if strings.ContainsRune(forbiddenLogin, r) {
			return fmt.Errorf("%w: character %q at byte %d is not allowed (forbidden: %s)", ErrInvalidLogin, r, i, forbiddenLogin)
		}
	}
	return nil
}

// checkDomain requires a DNS-style name: dot-separated labels of 1 to 63
// letters, digits or hyphens, not starting or ending with a hyphen, at most
// 253 characters. Letters outside ASCII are allowed (internationalised
// suffixes in Unicode form).
func checkDomain(domain string) error {
	if domain == "" {
		return ErrEmptyDomain
	}
	if len(domain) > 253 {
		return fmt.Errorf("%w: %q is longer than 253 characters", ErrInvalidDomain, domain)
	}
	for label := range strings.SplitSeq(domain, ".") {
		if err := checkLabel(label); err != nil {
			return fmt.Errorf("%w: %q: %v", ErrInvalidDomain, domain, err)
		}
	}
	return nil
}

// checkLabel checks one DNS label.
func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New("empty label")
	case len(label) > 63:
		return fmt.Errorf("label %q is longer than 63 bytes", label)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("label %q starts or ends with '-'", label)
	}
	for _, r := range label {
		if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return fmt.Errorf("character %q is not allowed in label %q", r, label)
		}
	}
	return nil
}
