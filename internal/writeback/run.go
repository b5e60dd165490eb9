package writeback

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/upn"
)

// Attributes write-back reads besides the link and the target.
const (
	attrUPN      = "userPrincipalName"
	attrMail     = "mail"
	attrAltSecID = "altSecurityIdentities"
)

// run is the state of one relying-party run.
type run struct {
	e       *Engine
	job     Job
	rep     *Report
	cfg     upn.Config
	link    connection.Link
	users   *userIndex
	certs   map[string][]store.Certificate // by lower-cased userId
	pending []store.Outcome
	// unlinked counts the entries read that no usersync user links to.
	unlinked int
	// strict makes every failed write an error (single enrollments).
	strict bool
}

// newRun reads the connection's settings, its users and certificates.
func (e *Engine) newRun(ctx context.Context, j Job, rep *Report) (*run, error) {
	cfg, err := j.Conn.UPNSettings()
	if err != nil {
		return nil, fmt.Errorf("writeback: connection %q: %w", j.Conn.Name, err)
	}
	link, err := connection.RelyingPartyLink(j.Conn.LinkingKey)
	if err != nil {
		return nil, fmt.Errorf("writeback: connection %q: %w", j.Conn.Name, err)
	}
	users, err := loadUsers(ctx, e.Store, j.Conn.Name, link.Field)
	if err != nil {
		return nil, err
	}
	certs, err := e.Store.ListCertificates(ctx, store.CertificateQuery{Connection: j.Conn.Name})
	if err != nil {
		return nil, fmt.Errorf("writeback: %w", err)
	}
	byUser := map[string][]store.Certificate{}
	for _, c := range certs {
		k := foldKey(c.UserID)
		byUser[k] = append(byUser[k], c)
	}
	return &run{e: e, job: j, rep: rep, cfg: cfg, link: link, users: users, certs: byUser}, nil
}

// attributes lists what the search reads of each entry.
func (r *run) attributes() []string {
	attrs := []string{r.link.Attribute, attrUPN, attrMail}
	if s := r.cfg.SyncUpnToAdAttribute; s.Enabled {
		attrs = append(attrs, s.TargetAttribute)
	}
	if len(r.certs) > 0 {
		attrs = append(attrs, attrAltSecID)
	}
	return attrs
}

// entry links one directory entry and writes back what it lacks. It
// returns an error only to stop the run.
func (r *run) entry(ctx context.Context, en *directory.Entry) error {
	r.rep.EntriesRead++
	key := r.linkValue(en)
	if key == "" {
		r.skip(en, "", fmt.Sprintf("entry has no %s%s to link it by", r.link.Attribute, r.fallbackNote()))
		return nil
	}
	u, reason := r.users.lookup(key)
	if reason != "" {
		r.skip(en, key, reason)
		return nil
	}
	w := &entryWrite{run: r, en: en, user: u}
	stop := w.upn(ctx)
	if stop == nil {
		stop = w.certificates(ctx)
	}
	w.record()
	if stop != nil {
		return stop
	}
	if len(r.pending) >= outcomeBatch {
		return r.flush(ctx)
	}
	return nil
}

// linkValue is the entry's value of the link attribute; for a link on
// userPrincipalName with mailFallbackOnMissingUpn on, an entry without a
// UPN is linked by its mail.
func (r *run) linkValue(en *directory.Entry) string {
	v := strings.TrimSpace(en.Get(r.link.Attribute))
	if v == "" && r.link.IsUPN() && r.cfg.MailFallbackOnMissingUpn.Enabled {
		v = strings.TrimSpace(en.Get(attrMail))
	}
	return v
}

func (r *run) fallbackNote() string {
	if r.link.IsUPN() && r.cfg.MailFallbackOnMissingUpn.Enabled {
		return " (nor mail, under mailFallbackOnMissingUpn)"
	}
	return ""
}

// skip records an entry that is not linked to any usersync user.
func (r *run) skip(en *directory.Entry, key, reason string) {
	r.rep.Skipped++
	r.unlinked++
	r.add(store.Outcome{ExternalID: en.DN, UserID: key, Action: store.ActionSkipped, Reason: reason})
}

// add keeps an outcome for the next flush, or for the plan of a dry run.
func (r *run) add(o store.Outcome) {
	o.RunID = r.rep.ID
	if r.job.DryRun {
		r.rep.Plan = append(r.rep.Plan, o)
		return
	}
	r.pending = append(r.pending, o)
}

// flush saves the pending outcomes in one transaction.
func (r *run) flush(ctx context.Context) error {
	if len(r.pending) == 0 || r.job.DryRun {
		return nil
	}
	b := store.Batch{RunID: r.rep.ID, Connection: r.job.Conn.Name, Outcomes: r.pending}
	wctx := context.WithoutCancel(ctx) // outcomes of writes already made must be kept
	if err := r.e.Store.Apply(wctx, b); err != nil {
		return fmt.Errorf("writeback: save outcomes: %w", err)
	}
	r.pending = r.pending[:0]
	return nil
}

// errStop wraps the failure that ends a run under onWriteFailure "error".
var errStop = errors.New("write-back stopped")

// failure applies the onWriteFailure policy to a failed write and returns
// a non-nil error when the run must stop: under "error", or always for a
// single enrollment (strict), whose caller reports the failure itself.
func (r *run) failure(f *WriteFailure) error {
	log := r.e.logger()
	u, msg := f.UserID, f.Error()
	switch {
	case r.strict:
		return f
	case r.cfg.SyncUpnToAdAttribute.OnWriteFailure == upn.FailureError:
		log.Error("write-back failed; stopping the run (onWriteFailure error)", "connection", r.job.Conn.Name, "user", u, "error", msg)
		return fmt.Errorf("%w (onWriteFailure is error): %w", errStop, f)
	case r.cfg.SyncUpnToAdAttribute.OnWriteFailure == upn.FailureIgnore:
		log.Debug("write-back failed (onWriteFailure ignore)", "connection", r.job.Conn.Name, "user", u, "error", msg)
	default:
		r.rep.Warnings = append(r.rep.Warnings, msg)
		log.Warn("write-back failed", "connection", r.job.Conn.Name, "user", u, "error", msg)
	}
	return nil
}
