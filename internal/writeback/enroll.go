package writeback

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/certmap"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// Errors of enrolling and revoking certificates.
var (
	// ErrNoUser means no active usersync user has the given userId.
	ErrNoUser = errors.New("writeback: no such usersync user")
	// ErrNoEntry means the relying party has no entry linked to the user.
	ErrNoEntry = errors.New("writeback: no linked directory entry")
	// ErrAmbiguousEntry means several relying-party entries link to the user.
	ErrAmbiguousEntry = errors.New("writeback: several linked directory entries")
	// ErrNoCertificate means no active enrolled certificate matches.
	ErrNoCertificate = errors.New("writeback: no such enrolled certificate")
)

// Enrollment is what enrolling or revoking a certificate did.
type Enrollment struct {
	Certificates []store.Certificate `json:"certificates"`
	DN           string              `json:"dn"`
	Changes      []store.FieldChange `json:"changes,omitempty"`
	Notes        []string            `json:"notes,omitempty"`
}

// Enroll adds cert's strong mapping of form f to the altSecurityIdentities
// of the entry linked to the usersync user userID on the relying party j,
// and records the certificate only once the mapping is in the entry: a
// refused or unverified write records nothing and returns the failure, so
// that no certificate is listed as active that the directory does not
// hold. When an equal value is there already, usersync records the
// certificate but does not own the value and will never remove it.
// Enrolling the same certificate again writes nothing. j.DryRun is ignored.
func (e *Engine) Enroll(ctx context.Context, j Job, userID string, cert *x509.Certificate, f certmap.Form) (Enrollment, error) {
	mapping, err := certmap.Mapping(cert, f)
	if err != nil {
		return Enrollment{}, fmt.Errorf("writeback: %w", err)
	}
	r, w, err := e.linkedEntry(ctx, j, userID)
	if err != nil {
		return Enrollment{}, err
	}
	sum := sha256.Sum256(cert.Raw)
	c := store.Certificate{Connection: j.Conn.Name, UserID: w.user.UserID, Form: string(f),
		Mapping: mapping, Fingerprint: hex.EncodeToString(sum[:]), Subject: cert.Subject.String(),
		Issuer: cert.Issuer.String(), Serial: cert.SerialNumber.Text(16), NotAfter: cert.NotAfter, Status: store.CertActive}
	written, err := w.writeMapping(ctx, mapping)
	if err != nil {
		return Enrollment{DN: w.en.DN, Notes: w.notes}, err
	}
	if c, err = e.Store.PutCertificate(context.WithoutCancel(ctx), c); err != nil {
		return Enrollment{}, fmt.Errorf("writeback: %s was written to %s but not recorded, so usersync does not own it: %w", mapping, w.en.DN, err)
	}
	if written {
		c.WrittenDN = w.en.DN
		if err := w.save(ctx, &c); err != nil {
			return Enrollment{}, err
		}
	}
	r.certs[foldKey(w.user.UserID)] = []store.Certificate{c}
	return Enrollment{Certificates: []store.Certificate{c}, DN: w.en.DN, Changes: w.changes, Notes: w.notes}, nil
}

// writeMapping adds mapping to the entry's altSecurityIdentities unless an
// equal value is there, and says whether it wrote it.
func (w *entryWrite) writeMapping(ctx context.Context, mapping string) (bool, error) {
	if w.present(mapping) {
		return false, nil
	}
	err := w.write(ctx, directory.Modification{Op: directory.ModAdd, Attribute: attrAltSecID, Values: []string{mapping}})
	switch {
	case errors.Is(err, directory.ErrValueExists):
		return false, nil
	case err != nil:
		return false, w.fail(attrAltSecID, err)
	}
	w.changes = append(w.changes, store.FieldChange{Field: attrAltSecID, New: mapping})
	w.en.Attrs[strings.ToLower(attrAltSecID)] = append(w.en.Values(attrAltSecID), mapping)
	return true, nil
}

// Revoke marks the user's active certificates whose mapping is one of
// mappings as revoked and deletes those mappings from the linked entry's
// altSecurityIdentities where usersync wrote them. Other values stay.
func (e *Engine) Revoke(ctx context.Context, j Job, userID string, mappings []string) (Enrollment, error) {
	r, w, err := e.linkedEntry(ctx, j, userID)
	if err != nil {
		return Enrollment{}, err
	}
	stored, err := e.Store.ListCertificates(ctx, store.CertificateQuery{Connection: j.Conn.Name, UserID: userID, Status: store.CertActive})
	if err != nil {
		return Enrollment{}, fmt.Errorf("writeback: %w", err)
	}
	now := time.Now()
	var revoked []store.Certificate
	for _, c := range stored {
		if !slices.Contains(mappings, c.Mapping) {
			continue
		}
		c.Status, c.RevokedAt = store.CertRevoked, &now
		if err := e.Store.UpdateCertificate(ctx, c); err != nil {
			return Enrollment{}, fmt.Errorf("writeback: %w", err)
		}
		revoked = append(revoked, c)
	}
	if len(revoked) == 0 {
		return Enrollment{}, fmt.Errorf("%w: %s has no active certificate with mapping %s on %q", ErrNoCertificate, userID, strings.Join(mappings, " or "), j.Conn.Name)
	}
	r.certs[foldKey(w.user.UserID)] = revoked
	return w.enrollment(ctx)
}

// enrollment applies the run's certificates to the one entry.
func (w *entryWrite) enrollment(ctx context.Context) (Enrollment, error) {
	err := w.certificates(ctx)
	return Enrollment{Certificates: w.run.certs[foldKey(w.user.UserID)], DN: w.en.DN, Changes: w.changes, Notes: w.notes}, err
}

// linkedEntry finds the usersync user and the one relying-party entry
// linked to it, and returns a strict run over that entry.
func (e *Engine) linkedEntry(ctx context.Context, j Job, userID string) (*run, *entryWrite, error) {
	r, err := e.newRun(ctx, j, &Report{})
	if err != nil {
		return nil, nil, err
	}
	r.strict = true
	r.certs = map[string][]store.Certificate{}
	byID, err := loadUsers(ctx, e.Store, j.Conn.Name, connection.FieldUserID)
	if err != nil {
		return nil, nil, err
	}
	u, reason := byID.lookup(userID)
	if reason != "" {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoUser, reason)
	}
	key := fieldValue(u, r.link.Field)
	if key == "" {
		return nil, nil, fmt.Errorf("%w: usersync user %s has no %s to link by", ErrNoEntry, u.UserID, r.link.Field)
	}
	q := directory.Query{BaseDN: j.Conn.SearchPath, Filter: r.entryFilter(key), PageSize: j.Conn.PageSize,
		Attributes: []string{r.link.Attribute, attrUPN, attrMail, attrAltSecID}}
	var found []*directory.Entry
	err = j.Dir.Search(ctx, q, func(en *directory.Entry) error {
		if strings.EqualFold(r.linkValue(en), key) {
			found = append(found, en)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("writeback: find the entry of %s: %w", u.UserID, err)
	}
	switch len(found) {
	case 0:
		return nil, nil, fmt.Errorf("%w: no entry under %q matching %s has %s %q", ErrNoEntry, j.Conn.SearchPath, j.Conn.SearchFilter, r.link.Attribute, key)
	case 1:
	default:
		return nil, nil, fmt.Errorf("%w: %d entries have %s %q", ErrAmbiguousEntry, len(found), r.link.Attribute, key)
	}
	return r, &entryWrite{run: r, en: found[0], user: u}, nil
}

// entryFilter selects the connection's entries whose link attribute is key
// (or, under mail fallback, that have no UPN and mail key). The value is
// escaped exactly once (RFC 4515).
func (r *run) entryFilter(key string) string {
	v := ldapv3.EscapeFilter(key)
	match := "(" + r.link.Attribute + "=" + v + ")"
	if r.link.IsUPN() && r.cfg.MailFallbackOnMissingUpn.Enabled {
		match = "(|" + match + "(&(!(" + attrUPN + "=*))(" + attrMail + "=" + v + ")))"
	}
	return "(&" + r.job.Conn.SearchFilter + match + ")"
}
