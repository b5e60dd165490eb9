package reconcile

import (
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/upn"
)

// Kinds of decision about one directory entry.
const (
	// KindProvision: the entry is (or becomes) a user, with Decision.Status.
	KindProvision = "provision"
	// KindSkip: the entry is not provisioned, and that is not an error.
	KindSkip = "skip"
	// KindFail: the entry cannot be written; a stored user stays as it is.
	KindFail = "fail"
	// KindOutOfScope: the entry is outside the connection's scope; a stored
	// user of it leaves.
	KindOutOfScope = "outOfScope"
)

// Causes say which rule decided, for explanations.
const (
	CauseNoLinkingKey  = "noLinkingKey"
	CauseMappingFailed = "mappingFailed"
	CauseOutOfScope    = "outOfScope"
	CauseNoUserID      = "noUserId"
	CauseBadUserID     = "badUserId"
	CauseNoName        = "noName"
	CauseLocalConflict = "localConflict"
	CauseDisabled      = "disabled"
	CauseGroupStatus   = "groupStatusRule"
	CauseActive        = "active"
)

// Rules are what every kind of run, and `users explain`, decides an entry
// by: the connection's linking key, flavor, mappings, identity settings and
// group rules, and the userIds of local users.
type Rules struct {
	LinkingKey string
	Flavor     directory.Flavor
	Mapper     Mapper
	Identity   Identity
	// Groups, when set, applies the group status rule (and remembers the
	// user's wanted memberships for the run's group phase).
	Groups GroupPhase
	// Locals holds the keys (store.UserIDKey) of local users' userIds.
	Locals map[string]bool
}

// RulesFor returns the rules of a job.
func RulesFor(j Job, locals map[string]bool) Rules {
	return Rules{LinkingKey: j.LinkingKey, Flavor: j.Flavor, Mapper: j.Mapper, Identity: j.Identity, Groups: j.Groups, Locals: locals}
}

// Decision is what happens to one directory entry, and why.
type Decision struct {
	Kind  string
	Cause string
	// Reason is a sentence for the run record and explanations. For a
	// provisioned user it says why the user is inactive, if it is.
	Reason string
	// Ext is the entry's linking-key value; UserID its complete userId
	// (the mail fallback applied).
	Ext    string
	UserID string
	// Status is active or inactive for KindProvision.
	Status string
	// Disabled says the directory marks the account disabled.
	Disabled bool
	// Action is the outcome a run records for a skip or a failure.
	Action string
}

// Decide is the one decision about an entry that every kind of run (full,
// incremental, live, one-user) and `users explain` share. known says a
// stored user is linked to the entry. res receives the mapped entry and
// may be reused between calls. The checks run in this order: linking key,
// mapping errors, scope, userId (with the mail fallback and the UPN
// rules), the mandatory name, local users, then account state and the
// group status rule. A disabled account with no stored user is not
// provisioned; a stored one becomes inactive.
func Decide(r Rules, e *directory.Entry, known bool, res *mapping.Result) Decision {
	ext := e.Get(r.LinkingKey)
	if ext == "" {
		return Decision{Kind: KindSkip, Cause: CauseNoLinkingKey, Action: store.ActionSkipped,
			Reason: fmt.Sprintf("entry %s has no %s, the linking key", e.DN, r.LinkingKey)}
	}
	r.Mapper.Map(e, res)
	d := Decision{Ext: ext, UserID: res.UserID}
	if res.Err != nil {
		return d.fail(CauseMappingFailed, fmt.Sprintf("entry %s: %v", e.DN, res.Err))
	}
	if res.OutOfScope != "" {
		d.Kind, d.Cause, d.Reason = KindOutOfScope, CauseOutOfScope, res.OutOfScope
		return d
	}
	if d = r.identify(e, d); d.Kind != "" {
		return d
	}
	res.UserID = d.UserID
	if name, clears := nameOf(res); name == "" && (!known || clears) {
		return d.fail(CauseNoName, fmt.Sprintf("entry %s: %s, the user's name, is empty: its mapping gave no value, and a user's name is mandatory",
			e.DN, mapping.FieldName))
	}
	if r.Locals[store.UserIDKey(d.UserID)] {
		d.Kind, d.Cause, d.Action = KindSkip, CauseLocalConflict, store.ActionSkipped
		d.Reason = fmt.Sprintf("conflict: a local user %q exists; local users are never modified by sync", d.UserID)
		return d
	}
	d.Disabled = isDisabled(r.Flavor, e)
	var ruleReason string
	if r.Groups != nil {
		ruleReason = r.Groups.Observe(ext, d.UserID, e)
	}
	d.Kind, d.Cause, d.Status = KindProvision, CauseActive, store.StatusActive
	switch {
	case d.Disabled:
		d.Cause, d.Status, d.Reason = CauseDisabled, store.StatusInactive, "account is disabled in the directory"
	case ruleReason != "":
		d.Cause, d.Status, d.Reason = CauseGroupStatus, store.StatusInactive, ruleReason
	}
	if !known {
		d = d.AsNew()
	}
	return d
}

// AsNew is the decision for an entry no stored user is linked to: a
// disabled account is not provisioned.
func (d Decision) AsNew() Decision {
	if d.Kind == KindProvision && d.Disabled {
		d.Kind, d.Action, d.Status = KindSkip, store.ActionSkipped, ""
		d.Reason = "account is disabled in the directory; disabled accounts are not provisioned"
	}
	return d
}

func (d Decision) fail(cause, reason string) Decision {
	d.Kind, d.Cause, d.Action, d.Reason = KindFail, cause, store.ActionFailed, reason
	return d
}

// nameOf returns the mapped name, and whether the mapping clears it (an
// empty value is only ever present to clear the field).
func nameOf(res *mapping.Result) (name string, clears bool) {
	for _, f := range res.Fields {
		if f.Name == mapping.FieldName {
			return strings.TrimSpace(f.Value), f.Value == ""
		}
	}
	return "", false
}

// identify completes the mapped userId of an entry: the mail fallback, then
// the UPN checks. It returns d with Kind set when the entry cannot be
// provisioned.
func (r Rules) identify(e *directory.Entry, d Decision) Decision {
	id := r.Identity
	fromMail := false
	if d.UserID == "" && id.MailFallback {
		d.UserID, fromMail = e.Get("mail"), true
	}
	switch {
	case d.UserID == "" && id.UPN:
		reason := fmt.Sprintf("entry %s has no userPrincipalName (UPN), which becomes the userId", e.DN)
		if !id.MailFallback {
			reason += "; the configureTwo mail fallback is off"
		} else {
			reason += ", and no mail for the mail fallback"
		}
		d.Kind, d.Cause, d.Action, d.Reason = KindSkip, CauseNoUserID, store.ActionSkipped, reason
	case d.UserID == "":
		d.Kind, d.Cause, d.Action, d.Reason = KindSkip, CauseNoUserID, store.ActionSkipped, fmt.Sprintf("entry %s has no value for userId", e.DN)
	case id.UPN:
		u, err := upn.ParseUPN(d.UserID)
		if err == nil && !fromMail {
			err = id.Policy.Check(u)
		}
		if err != nil {
			d = d.fail(CauseBadUserID, fmt.Sprintf("entry %s: %v", e.DN, err))
		}
	}
	return d
}
