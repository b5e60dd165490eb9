package reconcile

import (
	"fmt"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/upn"
)

// Identity is how a job turns an entry into a user ID and decides whether a
// changed user ID still names the same application user. The zero value is
// the generic LDAP behaviour: the mapped userId as is, linked by the linking
// key only.
type Identity struct {
	// UPN says the userId is a user principal name (Active Directory): it
	// is parsed as {login}@{domain specifier} and checked against Policy,
	// and a changed domain specifier makes a new application user.
	UPN bool
	// Mode is connection.IdentityAnchor or connection.IdentityUPN; in upn
	// mode any changed UPN makes a new application user.
	Mode string
	// Policy says which domain specifiers are accepted.
	Policy upn.SuffixPolicy
	// MailFallback uses the mail attribute as the userId of an entry
	// without one (configureTwo mailFallbackOnMissingUpn).
	MailFallback bool
}

// ADAttributes are the attributes read from every Active Directory user on
// top of the mapped ones: what identity, account state and change tracking
// need, and what rules and write-back will use.
var ADAttributes = []string{"objectGUID", "userPrincipalName", "sAMAccountName", "mail", "proxyAddresses",
	"memberOf", "userAccountControl", "lockoutTime", "uSNChanged"}

// IdentityFor returns the identity settings of an Active Directory
// connection.
func IdentityFor(c connection.Connection) (Identity, error) {
	cfg, err := c.UPNSettings()
	if err != nil {
		return Identity{}, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	return Identity{UPN: true, Mode: c.Identity(), Policy: c.SuffixPolicy(), MailFallback: cfg.MailFallbackOnMissingUpn.Enabled}, nil
}

// relink retires the stored user r when the entry's new userId makes it a
// different application user: a changed domain specifier in either mode, or
// any changed UPN in upn mode. The old user is deactivated and its link set
// aside (store.Batch.Retire), and relink returns nil so that the entry is
// created afresh, in the same batch.
func (p *planner) relink(r *ref, ext, userID string) *ref {
	if r == nil || r.seen || !p.j.Identity.UPN {
		return r
	}
	if p.ix.sameUserID(r, userID) {
		return r // the common case, decided without allocating
	}
	old := p.ix.userID(r)
	why := p.newIdentity(old, userID)
	if why == "" {
		return r
	}
	tomb := store.RetiredExternalID(ext, r.id)
	p.batch.Retire = append(p.batch.Retire, store.Retirement{ID: r.id, ExternalID: tomb})
	if r.active {
		p.rep.Deactivated++
		p.ix.active--
		p.outcome(store.Outcome{UserRowID: r.id, ExternalID: tomb, UserID: old, Action: store.ActionDeactivated, Reason: why})
	} else {
		p.ops++
	}
	r.active, r.seen = false, true
	p.ix.retire(r, tomb)
	return nil
}

// newIdentity says why userId old → new is a new application user, or "".
func (p *planner) newIdentity(old, new string) string {
	if upn.EqualFold(old, new) {
		return ""
	}
	ou, oerr := upn.ParseUPN(old)
	nu, nerr := upn.ParseUPN(new)
	if oerr == nil && nerr == nil && !upn.EqualFold(ou.Domain, nu.Domain) {
		return fmt.Sprintf("moved to another domain (%s → %s): the user is re-created under the new UPN %s", ou.Domain, nu.Domain, new)
	}
	if p.j.Identity.Mode == connection.IdentityUPN {
		return fmt.Sprintf("the UPN changed to %s; in upn identity mode the UPN is the link, so a new user replaces this one", new)
	}
	return ""
}
