package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// Verdicts of `users explain`: why a user is or is not in usersync.
const (
	VerdictSynced         = "synced"
	VerdictInactive       = "inactive"
	VerdictFilteredOut    = "filteredOut"
	VerdictOutOfScope     = "outOfScope"
	VerdictDisabled       = "disabled"
	VerdictNoUserID       = "noUserId"
	VerdictNoLinkingKey   = "noLinkingKey"
	VerdictLocalConflict  = "localConflict"
	VerdictFailed         = "failed"
	VerdictPending        = "pending"
	VerdictNotInDirectory = "notInDirectory"
)

// Explanation answers "why is (or isn't) this user in usersync?" for one
// connection.
type Explanation struct {
	Connection string `json:"connection"`
	Verdict    string `json:"verdict"`
	Reason     string `json:"reason"`
	// DN is the directory entry found for the user, if any.
	DN string `json:"dn,omitempty"`
	// User is the user in usersync, if any.
	User *store.User `json:"user,omitempty"`
	// Outcomes are the newest things runs did to the user, newest first;
	// DecidedBy is the run that decided the current state.
	Outcomes  []store.Outcome `json:"outcomes,omitempty"`
	DecidedBy *store.Run      `json:"decidedBy,omitempty"`
}

// ExplainUser looks the user up in the store, the run history and, live,
// in each connection's directory (only conn when not empty): under the
// connection's search path but WITHOUT its filter, by userId, UPN, login
// (sAMAccountName, uid), mail or cn, so that an entry the filter excludes is
// found too.
func (a *App) ExplainUser(ctx context.Context, conn, who string) ([]Explanation, error) {
	if err := limits.Search(who); err != nil {
		return nil, fieldErrorf("user", "the user to explain is %v", err)
	}
	names := []string{conn}
	if conn == "" {
		conns, err := a.Store.ListConnections(ctx)
		if err != nil {
			return nil, err
		}
		names = names[:0]
		for _, c := range conns {
			names = append(names, c.Name)
		}
	}
	locals, err := a.Store.LocalUserIDs(ctx)
	if err != nil {
		return nil, err
	}
	var out []Explanation
	for _, name := range names {
		ex, err := a.explainIn(ctx, name, who, locals)
		if err != nil {
			return out, err
		}
		out = append(out, ex)
	}
	return out, nil
}

func (a *App) explainIn(ctx context.Context, name, who string, locals map[string]bool) (Explanation, error) {
	ex := Explanation{Connection: name}
	users, err := a.Store.ListUsers(ctx, store.UserQuery{Connection: name, Search: who})
	if err != nil {
		return ex, err
	}
	for i, u := range users {
		if strings.EqualFold(u.UserID, who) || u.ExternalID == who {
			ex.User = &users[i]
			break
		}
	}
	d, entry, err := a.explainEntry(ctx, name, who)
	if err != nil {
		return ex, err
	}
	defer d.Close()
	key := who
	if entry != nil {
		ex.DN = entry.DN
		if ext := entry.Get(d.Job.LinkingKey); ext != "" {
			key = ext
			// The stored user linked to the entry, whatever its userId.
			if ex.User == nil || ex.User.ExternalID != ext {
				if ex.User, err = a.linkedUser(ctx, name, ext); err != nil {
					return ex, err
				}
			}
		}
	} else if ex.User != nil {
		key = ex.User.ExternalID
	}
	if ex.Outcomes, err = a.Store.FindOutcomes(ctx, name, key, 5); err != nil {
		return ex, err
	}
	if len(ex.Outcomes) == 0 && key != who {
		if ex.Outcomes, err = a.Store.FindOutcomes(ctx, name, who, 5); err != nil {
			return ex, err
		}
	}
	if len(ex.Outcomes) > 0 {
		if r, err := a.Store.GetRun(ctx, ex.Outcomes[0].RunID); err == nil {
			ex.DecidedBy = &r
		}
	}
	ex.Verdict, ex.Reason, err = a.verdict(ctx, d, entry, ex, locals)
	return ex, err
}

// errFound stops an index scan once the wanted user is found.
var errFound = errors.New("found")

// linkedUser returns the connection's user linked to ext, or nil. It scans
// the connection's index: explaining one user is rare, and no other query
// finds a user by external id.
func (a *App) linkedUser(ctx context.Context, conn, ext string) (*store.User, error) {
	var id int64
	err := a.Store.ScanIndex(ctx, conn, func(e store.IndexEntry) error {
		if e.ExternalID == ext {
			id = e.ID
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, fmt.Errorf("explain: find the user linked to %s: %w", ext, err)
	}
	if id == 0 {
		return nil, nil
	}
	u, err := a.Store.GetUser(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("explain: read user %d: %w", id, err)
	}
	return &u, nil
}

// findEntry searches without the connection's filter. The value is escaped
// here, once.
func findEntry(ctx context.Context, d *Directory, who string, extra ...string) (*directory.Entry, error) {
	v := ldapv3.EscapeFilter(who)
	login := who
	if i := strings.IndexByte(who, '@'); i > 0 {
		login = who[:i]
	}
	l := ldapv3.EscapeFilter(login)
	filter := fmt.Sprintf("(|(userPrincipalName=%s)(sAMAccountName=%s)(uid=%s)(uid=%s)(mail=%s)(cn=%s))", v, l, v, l, v, v)
	attrs := append(append(reconcile.Attributes(d.Job), "userAccountControl"), extra...)
	var found *directory.Entry
	err := d.LDAP.Search(ctx, directory.Query{BaseDN: d.Conn.SearchPath, Filter: filter, Attributes: attrs, PageSize: 10}, func(e *directory.Entry) error {
		if found == nil {
			found = e
		}
		return nil
	})
	return found, err
}

func (a *App) verdict(ctx context.Context, d *Directory, e *directory.Entry, ex Explanation, locals map[string]bool) (string, string, error) {
	last := ""
	if len(ex.Outcomes) > 0 {
		o := ex.Outcomes[0]
		last = fmt.Sprintf(" (run %d: %s", o.RunID, o.Action)
		if o.Reason != "" {
			last += ": " + o.Reason
		}
		last += ")"
	}
	if e == nil && d.Graph != nil {
		return VerdictNotInDirectory, "no user of the tenant has this object id, userPrincipalName or mail" + last, nil
	}
	if e == nil {
		if ex.User != nil && ex.User.Status == store.StatusInactive {
			return VerdictNotInDirectory, "not found under " + d.Conn.SearchPath + " even without the filter; the user was deactivated" + last, nil
		}
		return VerdictNotInDirectory, fmt.Sprintf("no entry under %s has this userId, UPN, login, mail or cn, even without the connection's filter%s", d.Conn.SearchPath, last), nil
	}
	ok, err := d.matchesFilter(ctx, e)
	if err != nil {
		return "", "", err
	}
	if !ok && d.Graph != nil {
		return VerdictFilteredOut, entraExcluded(d, e), nil
	}
	if !ok {
		return VerdictFilteredOut, fmt.Sprintf("%s exists, but the connection's filter %s excludes it", e.DN, d.Conn.SearchFilter), nil
	}
	// The same decision a run makes, from the same rules.
	if d.Job.Groups != nil {
		if err := d.Job.Groups.Prepare(ctx); err != nil {
			return "", "", err
		}
	}
	ext := e.Get(d.Job.LinkingKey)
	known := ex.User != nil && ext != "" && ex.User.ExternalID == ext
	res := mapping.Result{Unique: reconcile.StoreUniqueness(ctx, a.Store, d.Conn.Name, ext)}
	dec := reconcile.Decide(reconcile.RulesFor(d.Job, locals), e, known, &res)
	switch {
	case dec.Cause == reconcile.CauseNoLinkingKey:
		return VerdictNoLinkingKey, dec.Reason, nil
	case dec.Kind == reconcile.KindOutOfScope:
		return VerdictOutOfScope, fmt.Sprintf("%s is out of the connection's scope: %s", e.DN, dec.Reason) + last, nil
	case dec.Cause == reconcile.CauseNoUserID:
		return VerdictNoUserID, dec.Reason, nil
	case dec.Cause == reconcile.CauseLocalConflict:
		return VerdictLocalConflict, dec.Reason + last, nil
	case dec.Kind == reconcile.KindFail:
		return VerdictFailed, "every run fails it: " + dec.Reason + last, nil
	case dec.Kind == reconcile.KindSkip && dec.Cause == reconcile.CauseDisabled:
		return VerdictDisabled, fmt.Sprintf("%s is disabled in the directory (%s); disabled accounts are not provisioned", e.DN, disabledBy(d, e)) + last, nil
	case dec.Cause == reconcile.CauseDisabled:
		return VerdictDisabled, fmt.Sprintf("%s is disabled in the directory (%s); the user is inactive", e.DN, disabledBy(d, e)) + last, nil
	case dec.Kind == reconcile.KindSkip:
		return VerdictFailed, dec.Reason + last, nil
	}
	// The verdict is what the next run decides for the entry as it is now.
	// The last run's outcome (a failure, say, since repaired in the
	// directory) is shown after it as history only.
	inactive := ""
	if dec.Status != store.StatusActive {
		inactive = fmt.Sprintf(", inactive (%s)", dec.Reason)
	}
	if !known {
		return VerdictPending, fmt.Sprintf("%s passes the filter; the next run creates it as %q%s", e.DN, dec.UserID, inactive) + last, nil
	}
	if dec.Status != store.StatusActive {
		return VerdictInactive, fmt.Sprintf("in usersync but inactive: %s", dec.Reason) + last, nil
	}
	if ex.User.Status != store.StatusActive {
		return VerdictInactive, "in usersync but inactive; the next run activates it" + last, nil
	}
	return VerdictSynced, fmt.Sprintf("in usersync as %q, active", ex.User.UserID) + last, nil
}
