package upn

import (
	"fmt"
	"strings"
)

// Validate checks a Config and returns every problem at once as FieldErrors,
// or nil when the document is valid.
func (c Config) Validate() error { return validate(c).err() }

// validate lists the problems of c in document order.
func validate(c Config) FieldErrors {
	var errs FieldErrors
	if c.SchemaVersion != SchemaVersion {
		errs.add(pathSchemaVersion, fmt.Sprintf("unsupported schema version %d: only %d is supported", c.SchemaVersion, SchemaVersion))
	}
	s := c.SyncUpnToAdAttribute
	const p = pathSync + "."
	switch {
	case s.TargetAttribute == "" && s.Enabled:
		errs.add(p+"targetAttribute", "must not be empty when sync is enabled")
	case s.TargetAttribute != "" && !ValidAttributeName(s.TargetAttribute):
		errs.add(p+"targetAttribute", fmt.Sprintf("%q is not a valid LDAP attribute name (a descriptor such as proxyAddresses, or a numeric OID)", s.TargetAttribute))
	}
	if !s.ValueFormat.Valid() {
		errs.add(p+"valueFormat", fmt.Sprintf("unknown value format %q: want prefixed or plain", s.ValueFormat))
	}
	switch {
	case s.Prefix == "" && s.Enabled && s.ValueFormat == FormatPrefixed:
		errs.add(p+"prefix", "must not be empty when sync is enabled and valueFormat is prefixed")
	case strings.Contains(s.Prefix, ":"):
		errs.add(p+"prefix", fmt.Sprintf("%q must not contain ':' (the separator is added when writing)", s.Prefix))
	}
	if !s.OnWriteFailure.Valid() {
		errs.add(p+"onWriteFailure", fmt.Sprintf("unknown value %q: want warn, error or ignore", s.OnWriteFailure))
	}
	return errs
}

// ValidAttributeName reports whether name is an LDAP attribute type as RFC 4512
// section 1.4 defines it: a descriptor (a letter followed by letters, digits
// and hyphens) or a numeric OID (such as 1.2.840.113556.1.4.656). Attribute
// options (";binary") are not accepted: a write-back target names one
// attribute.
func ValidAttributeName(name string) bool {
	if name == "" {
		return false
	}
	if isDigit(name[0]) {
		return validNumericOID(name)
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch {
		case isAlpha(ch):
		case i > 0 && (isDigit(ch) || ch == '-'):
		default:
			return false
		}
	}
	return true
}

// validNumericOID reports whether s is number *( "." number ) with no leading
// zeros, per RFC 4512.
func validNumericOID(s string) bool {
	for part := range strings.SplitSeq(s, ".") {
		if part == "" || (len(part) > 1 && part[0] == '0') {
			return false
		}
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return false
			}
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
