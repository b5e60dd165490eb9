package ldap

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

var _ directory.Writer = (*Conn)(nil)

// WriteError is a modify the directory refused or that failed on the way.
// Refusal is one of directory's Err* refusals when the result code is one
// write-back knows (errors.Is matches it), and Diagnostic is the server's
// own text, such as Active Directory's "00002098: SecErr: DSID-03150F94,
// problem 4003 (INSUFF_ACCESS_RIGHTS), data 0".
type WriteError struct {
	DN         string
	Attribute  string
	Code       uint16
	Refusal    error
	Diagnostic string
	Err        error
}

// Error names the entry, the attribute and the server's reason.
func (e *WriteError) Error() string {
	reason := ""
	switch {
	case e.Refusal != nil:
		reason = fmt.Sprintf("%s (LDAP %d)", e.Refusal, e.Code)
	case e.Code != 0:
		reason = fmt.Sprintf("%s (LDAP %d)", strings.ToLower(ldapv3.LDAPResultCodeMap[e.Code]), e.Code)
	default:
		reason = e.Err.Error()
	}
	if e.Diagnostic != "" {
		reason += ": " + e.Diagnostic
	}
	return fmt.Sprintf("ldap: modify %s of %q refused: %s", e.Attribute, e.DN, reason)
}

// Unwrap returns the refusal sentinel and the underlying error.
func (e *WriteError) Unwrap() []error {
	if e.Refusal != nil {
		return []error{e.Refusal, e.Err}
	}
	return []error{e.Err}
}

// refusals maps the result codes of AD's write refusals to sentinels.
var refusals = map[uint16]error{
	ldapv3.LDAPResultInsufficientAccessRights: directory.ErrInsufficientAccess,
	ldapv3.LDAPResultConstraintViolation:      directory.ErrConstraintViolation,
	ldapv3.LDAPResultAttributeOrValueExists:   directory.ErrValueExists,
	ldapv3.LDAPResultNoSuchAttribute:          directory.ErrNoSuchAttribute,
	ldapv3.LDAPResultObjectClassViolation:     directory.ErrObjectClassViolation,
	ldapv3.LDAPResultNoSuchObject:             directory.ErrNoSuchObject,
}

// Modify applies changes to dn in one modify request. Each change adds,
// deletes or replaces specific values; a refusal is a *WriteError.
func (c *Conn) Modify(ctx context.Context, dn string, changes ...directory.Modification) error {
	if len(changes) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ldap: modify %q: %w", dn, err)
	}
	req := ldapv3.NewModifyRequest(dn, nil)
	names := make([]string, 0, len(changes))
	for _, ch := range changes {
		switch ch.Op {
		case directory.ModAdd:
			req.Add(ch.Attribute, ch.Values)
		case directory.ModDelete:
			req.Delete(ch.Attribute, ch.Values)
		case directory.ModReplace:
			req.Replace(ch.Attribute, ch.Values)
		default:
			return fmt.Errorf("ldap: modify %q: unknown operation %d", dn, ch.Op)
		}
		names = append(names, ch.Attribute)
	}
	if err := c.conn.Modify(req); err != nil {
		return classifyWrite(dn, strings.Join(names, ","), err)
	}
	return nil
}

// classifyWrite turns a modify failure into a *WriteError.
func classifyWrite(dn, attr string, err error) error {
	we := &WriteError{DN: dn, Attribute: attr, Err: err}
	var le *ldapv3.Error
	if errors.As(err, &le) {
		we.Code = le.ResultCode
		we.Refusal = refusals[le.ResultCode]
		if le.Err != nil {
			we.Diagnostic = strings.TrimRight(le.Err.Error(), "\x00 \n")
		}
	}
	return we
}

// Read returns dn's named attributes with a base-object search, converted
// as Search converts entries.
func (c *Conn) Read(ctx context.Context, dn string, attrs ...string) (*directory.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ldap: read %q: %w", dn, err)
	}
	res, err := c.conn.Search(ldapv3.NewSearchRequest(dn, ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", attrs, nil))
	if err != nil {
		var le *ldapv3.Error
		if errors.As(err, &le) && le.ResultCode == ldapv3.LDAPResultNoSuchObject {
			return nil, fmt.Errorf("ldap: read %q: %w", dn, directory.ErrNoSuchObject)
		}
		return nil, classifySearch(dn, err)
	}
	if len(res.Entries) != 1 {
		return nil, fmt.Errorf("ldap: read %q: %d entries: %w", dn, len(res.Entries), directory.ErrNoSuchObject)
	}
	return convertEntry(res.Entries[0]), nil
}
