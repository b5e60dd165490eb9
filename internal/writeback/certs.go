package writeback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// certificates brings the entry's altSecurityIdentities in line with the
// user's enrolled certificates: the mapping of an active certificate is
// added once; the mapping of a revoked one is deleted, but only when
// usersync wrote it (store.Certificate.Owned). Values usersync did not
// write are never touched.
func (w *entryWrite) certificates(ctx context.Context) error {
	certs := w.run.certs[foldKey(w.user.UserID)]
	for i := range certs {
		c := &certs[i]
		var err error
		if c.Status == store.CertRevoked {
			err = w.removeMapping(ctx, c)
		} else {
			err = w.addMapping(ctx, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// present reports whether altSecurityIdentities holds mapping; AD compares
// the values case-insensitively.
func (w *entryWrite) present(mapping string) bool {
	return slices.ContainsFunc(w.en.Values(attrAltSecID), func(v string) bool { return strings.EqualFold(v, mapping) })
}

// addMapping adds an active certificate's mapping when it is missing.
func (w *entryWrite) addMapping(ctx context.Context, c *store.Certificate) error {
	if w.present(c.Mapping) {
		return nil
	}
	err := w.write(ctx, directory.Modification{Op: directory.ModAdd, Attribute: attrAltSecID, Values: []string{c.Mapping}})
	switch {
	case errors.Is(err, directory.ErrValueExists):
		return nil
	case err != nil:
		return w.fail(attrAltSecID, err)
	}
	w.changes = append(w.changes, store.FieldChange{Field: attrAltSecID, New: c.Mapping})
	w.en.Attrs[strings.ToLower(attrAltSecID)] = append(w.en.Values(attrAltSecID), c.Mapping)
	c.WrittenDN = w.en.DN
	return w.save(ctx, c)
}

// removeMapping deletes a revoked certificate's mapping if usersync wrote it.
func (w *entryWrite) removeMapping(ctx context.Context, c *store.Certificate) error {
	if !c.Owned() {
		if w.present(c.Mapping) {
			w.notes = append(w.notes, fmt.Sprintf("revoked certificate's mapping %s left in altSecurityIdentities: usersync did not write it", c.Mapping))
		}
		return nil
	}
	if w.present(c.Mapping) {
		err := w.write(ctx, directory.Modification{Op: directory.ModDelete, Attribute: attrAltSecID, Values: []string{c.Mapping}})
		if err != nil && !errors.Is(err, directory.ErrNoSuchAttribute) {
			return w.fail(attrAltSecID, err)
		}
		w.changes = append(w.changes, store.FieldChange{Field: attrAltSecID, Old: c.Mapping})
	}
	c.WrittenDN = ""
	return w.save(ctx, c)
}

// save stores what usersync now owns for c (nothing in a dry run).
func (w *entryWrite) save(ctx context.Context, c *store.Certificate) error {
	if w.run.job.DryRun {
		return nil
	}
	if err := w.run.e.Store.UpdateCertificate(context.WithoutCancel(ctx), *c); err != nil {
		return fmt.Errorf("writeback: %w", err)
	}
	return nil
}
