package demodir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/jimlambrt/gldap"
)

// errProtected is returned for attributes the directory itself maintains.
var errProtected = errors.New("attribute is maintained by the directory")

// protected lists the attributes no client may write.
var protected = map[string]bool{
	"objectguid": true, "usnchanged": true, "whenchanged": true, "distinguishedname": true,
}

func isProtected(attr string) bool { return protected[strings.ToLower(attr)] }

// modifyError carries the LDAP result of a refused change.
type modifyError struct {
	code int
	diag string
}

func (e *modifyError) Error() string { return e.diag }

// handleModify applies add, delete and replace changes from a bound client
// all-or-nothing, and advances the entry's uSNChanged, so write-back demos
// see their changes in the next (delta) search.
func (s *Server) handleModify(w *gldap.ResponseWriter, r *gldap.Request) {
	code, diag := gldap.ResultSuccess, ""
	defer func() {
		_ = w.Write(r.NewModifyResponse(gldap.WithResponseCode(code),
			gldap.WithDiagnosticMessage(diag), gldap.WithMatchedDN("")))
	}()
	m, err := r.GetModifyMessage()
	if err != nil {
		code, diag = gldap.ResultProtocolError, err.Error()
		return
	}
	if s.boundDN(r.ConnectionID()) == "" {
		code, diag = gldap.ResultOperationsError, diagNeedBind
		return
	}
	err = s.store.update(m.DN, func(e *entry) error {
		for _, c := range m.Changes {
			if err := applyChange(e, c); err != nil {
				return err
			}
		}
		return nil
	})
	var me *modifyError
	switch {
	case errors.Is(err, ErrNoSuchObject):
		best := s.bestMatch(normalizeDN(m.DN))
		code, diag = gldap.ResultNoSuchObject, strings.Replace(diagNoObject, "%s", best, 1)
	case errors.As(err, &me):
		code, diag = me.code, me.diag
	case err != nil:
		code, diag = gldap.ResultOther, err.Error()
	}
}

// applyChange applies one change to an entry copy, with RFC 4511 semantics.
func applyChange(e *entry, c gldap.Change) error {
	name := c.Modification.Type
	vals, err := decodeValues(c.Modification.Vals)
	if err != nil {
		return &modifyError{gldap.ResultProtocolError, err.Error()}
	}
	if isProtected(name) {
		return &modifyError{gldap.ResultConstraintViolation,
			fmt.Sprintf("demodir: %s: %v", name, errProtected)}
	}
	cur := e.get(name)
	switch c.Operation {
	case gldap.ReplaceAttribute:
		e.set(name, vals)
	case gldap.AddAttribute:
		next := slices.Clone(cur)
		for _, v := range vals {
			if hasValue(next, v) {
				return &modifyError{gldap.ResultAttributeOrValueExists,
					fmt.Sprintf("00002083: AtrErr: DSID-03151904, #1: 0: 00002083: %s: value %q already exists", name, v)}
			}
			next = append(next, v)
		}
		e.set(name, next)
	case gldap.DeleteAttribute:
		if len(cur) == 0 {
			return &modifyError{gldap.ResultNoSuchAttribute,
				fmt.Sprintf("00002085: AtrErr: DSID-03152E88, #1: 0: 00002085: %s: no such attribute", name)}
		}
		if len(vals) == 0 {
			e.set(name, nil)
			return nil
		}
		next := slices.Clone(cur)
		for _, v := range vals {
			i := slices.IndexFunc(next, func(have string) bool { return strings.EqualFold(have, v) })
			if i < 0 {
				return &modifyError{gldap.ResultNoSuchAttribute,
					fmt.Sprintf("00002085: AtrErr: DSID-03152E88, #1: 0: 00002085: %s: value %q not present", name, v)}
			}
			next = slices.Delete(next, i, i+1)
		}
		e.set(name, next)
	default:
		return &modifyError{gldap.ResultUnwillingToPerform,
			fmt.Sprintf("demodir: modify operation %d is not supported", c.Operation)}
	}
	return nil
}

// decodeValues unpacks modification values. gldap v0.1.14 hands over the
// raw content of the value SET, so each string holds zero or more
// BER-encoded OCTET STRINGs back to back; an empty set deletes or clears.
func decodeValues(raw []string) ([]string, error) {
	var out []string
	for _, r := range raw {
		rd := bytes.NewReader([]byte(r))
		for rd.Len() > 0 {
			p, err := ber.ReadPacket(rd)
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("demodir: decode modification value: %w", err)
			}
			if p == nil {
				break
			}
			out = append(out, p.Data.String())
		}
	}
	return out, nil
}
