package directory

import (
	"context"
	"errors"
)

// ModOp is the kind of one attribute change in a modify request.
type ModOp int

// The modify operations of RFC 4511 section 4.6.
const (
	// ModAdd adds Values to the attribute, keeping the values it has.
	ModAdd ModOp = iota
	// ModDelete removes exactly Values from the attribute (all values when
	// Values is empty; write-back never does that).
	ModDelete
	// ModReplace makes Values the attribute's only values.
	ModReplace
)

// String names the operation for logs and run reports.
func (o ModOp) String() string {
	switch o {
	case ModAdd:
		return "add"
	case ModDelete:
		return "delete"
	case ModReplace:
		return "replace"
	}
	return "unknown"
}

// Modification is one attribute change of a modify request.
type Modification struct {
	Op        ModOp
	Attribute string
	Values    []string
}

// Writer changes entries. Modify applies all changes to dn atomically, as
// one LDAP modify request; a refusal by the server is an error that matches
// one of the Err* refusals below with errors.Is. Read returns one entry's
// named attributes, so that a writer can verify what it wrote.
type Writer interface {
	Modify(ctx context.Context, dn string, changes ...Modification) error
	Read(ctx context.Context, dn string, attrs ...string) (*Entry, error)
}

// Refusals of a write by the directory, matched with errors.Is.
var (
	// ErrInsufficientAccess: the bound account may not write the attribute
	// (LDAP insufficientAccessRights, 50).
	ErrInsufficientAccess = errors.New("insufficient access rights")
	// ErrConstraintViolation: the value breaks a constraint, such as a
	// second value in a single-valued attribute or a value too long (LDAP
	// constraintViolation, 19).
	ErrConstraintViolation = errors.New("constraint violation")
	// ErrValueExists: an added value is already there; AD compares most
	// string values case-insensitively (LDAP attributeOrValueExists, 20).
	ErrValueExists = errors.New("attribute or value exists")
	// ErrNoSuchAttribute: a deleted value is not there (LDAP
	// noSuchAttribute, 16).
	ErrNoSuchAttribute = errors.New("no such attribute or value")
	// ErrObjectClassViolation: the entry's object classes do not allow the
	// attribute (LDAP objectClassViolation, 65).
	ErrObjectClassViolation = errors.New("object class violation")
	// ErrNoSuchObject: the entry does not exist (LDAP noSuchObject, 32).
	ErrNoSuchObject = errors.New("no such object")
)
