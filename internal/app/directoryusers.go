package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// MaxDirectoryUsers is how many entries SearchDirectoryUsers returns at most.
const MaxDirectoryUsers = 20

// DirectoryUser is one entry found by SearchDirectoryUsers: enough to pick
// the right person before adding them ("provision on demand").
type DirectoryUser struct {
	Name string `json:"name"`
	DN   string `json:"dn"`
	// UserID is the userId the connection's mappings give the entry, when
	// they give one.
	UserID string `json:"userId,omitempty"`
	// Disabled says the account is disabled in the directory; adding it is
	// refused with that reason.
	Disabled bool `json:"disabled,omitempty"`
}

// errEnough stops a search callback once enough entries were collected.
var errEnough = errors.New("enough entries")

// DirectoryUserFilter is the filter SearchDirectoryUsers sends: the
// connection's own filter AND a name match on the usual naming attributes.
// q is escaped here, exactly once.
func DirectoryUserFilter(connFilter, q string) string {
	v := ldapv3.EscapeFilter(q)
	name := fmt.Sprintf("(|(cn=*%[1]s*)(displayName=*%[1]s*)(uid=*%[1]s*)(sAMAccountName=*%[1]s*)(userPrincipalName=*%[1]s*)(mail=*%[1]s*))", v)
	if connFilter == "" {
		return name
	}
	return "(&" + connFilter + name + ")"
}

// SearchDirectoryUsers looks for entries whose name, login, UPN or mail
// contains q, under the connection's search path and WITH its filter, so
// that everyone found is someone a full sync would read. It returns at most
// MaxDirectoryUsers entries and whether more matched.
func (a *App) SearchDirectoryUsers(ctx context.Context, name, q string) ([]DirectoryUser, bool, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, false, usagef("a search text is required")
	}
	if err := limits.Search(q); err != nil {
		return nil, false, fieldErrorf("q", "the search text is %v", err)
	}
	d, err := a.openSource(ctx, name)
	if err != nil {
		return nil, false, err
	}
	defer d.Close()
	attrs := append(reconcile.Attributes(d.Job), "cn", "displayName", "userAccountControl")
	var out []DirectoryUser
	more := false
	err = d.LDAP.Search(ctx, directory.Query{BaseDN: d.Conn.SearchPath, Filter: DirectoryUserFilter(d.Conn.SearchFilter, q),
		Attributes: attrs, PageSize: MaxDirectoryUsers + 1}, func(e *directory.Entry) error {
		if len(out) == MaxDirectoryUsers {
			more = true
			return errEnough
		}
		out = append(out, d.describe(e))
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, false, fmt.Errorf("search %q: %w", name, err)
	}
	return out, more, nil
}

// describe summarizes an entry for a search result. Its userId and
// disabled flag come from the decision every run makes (without the group
// rules, which a search does not read).
func (d *Directory) describe(e *directory.Entry) DirectoryUser {
	u := DirectoryUser{DN: e.DN}
	for _, attr := range []string{"displayName", "cn", "uid", "sAMAccountName"} {
		if u.Name = e.Get(attr); u.Name != "" {
			break
		}
	}
	rules := reconcile.RulesFor(d.Job, nil)
	rules.Groups = nil
	var res mapping.Result
	dec := reconcile.Decide(rules, e, false, &res)
	u.UserID, u.Disabled = dec.UserID, dec.Disabled
	return u
}

// AddDirectoryUser reads one entry by DN and applies it through the same
// planner as a full sync (reconcile.Engine.ApplyChanges, trigger manual):
// created, updated or unchanged, with the reason when it is refused, such as
// a disabled account. The entry must be under the connection's search path
// and pass its filter. A dry run writes nothing and returns the plan.
func (a *App) AddDirectoryUser(ctx context.Context, name, dn string, dryRun bool) (*reconcile.Report, error) {
	d, err := a.openSource(ctx, name)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	e, err := d.readEntry(ctx, dn)
	if err != nil {
		return nil, err
	}
	job := d.Job
	job.DryRun = dryRun
	ch := reconcile.Changes{Upserts: []*directory.Entry{e}, Trigger: store.TriggerManual}
	if dryRun {
		return a.Engine.ApplyChanges(ctx, job, ch)
	}
	var rep *reconcile.Report
	err = a.WithLease(ctx, name, func(ctx context.Context) error {
		var err error
		rep, err = a.Engine.ApplyChanges(ctx, job, ch)
		return err
	})
	return rep, err
}

// openSource opens a source connection's directory; relying parties
// provision nobody.
func (a *App) openSource(ctx context.Context, name string) (*Directory, error) {
	c, _, err := a.Store.GetConnection(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usagef("no connection named %q", name)
	}
	if err != nil {
		return nil, err
	}
	if c.DirectoryType != connection.DirectorySource {
		return nil, usagef("connection %q is a relying party; only source connections provision users", name)
	}
	if err := notRead(c); err != nil {
		return nil, err
	}
	return a.OpenDirectory(ctx, name)
}

// readEntry reads the entry at dn with the attributes a run reads, checking
// that a full sync would read it too.
func (d *Directory) readEntry(ctx context.Context, dn string) (*directory.Entry, error) {
	want, err := ldapv3.ParseDN(dn)
	if err != nil || dn == "" {
		return nil, usagef("%q is not a DN", dn)
	}
	base, err := ldapv3.ParseDN(d.Conn.SearchPath)
	if err != nil {
		return nil, fmt.Errorf("connection %q: search path: %w", d.Conn.Name, err)
	}
	if !base.EqualFold(want) && !base.AncestorOfFold(want) {
		return nil, usagef("%s is not under the connection's search path %s", dn, d.Conn.SearchPath)
	}
	var found *directory.Entry
	err = d.LDAP.Search(ctx, directory.Query{BaseDN: dn, Filter: d.Conn.SearchFilter, Attributes: reconcile.Attributes(d.Job), PageSize: 10},
		func(e *directory.Entry) error {
			if dnOf(e.DN).EqualFold(want) {
				found = e
			}
			return nil
		})
	if err != nil && !ldapv3.IsErrorWithCode(err, ldapv3.LDAPResultNoSuchObject) {
		return nil, fmt.Errorf("read %s: %w", dn, err)
	}
	if found == nil {
		return nil, usagef("%s does not exist or the connection's filter %s excludes it", dn, d.Conn.SearchFilter)
	}
	return found, nil
}

func dnOf(s string) *ldapv3.DN {
	dn, err := ldapv3.ParseDN(s)
	if err != nil {
		return &ldapv3.DN{}
	}
	return dn
}

// AddedUser says whether a one-user add (or its dry run) leaves the entry
// as an active user in usersync: created, updated or already there. When
// it does not (a disabled account, an entry that fails its mappings or is
// out of the scope), reason is the run's own: the action and the reason of
// the outcome that refused it.
func AddedUser(rep *reconcile.Report) (added bool, reason string) {
	refused := rep.Skipped + rep.Failed + rep.Deactivated + rep.Deleted + rep.PendingDeactivations
	if refused == 0 && rep.Created+rep.Updated+rep.Unchanged > 0 {
		return true, ""
	}
	for _, o := range rep.Plan {
		switch o.Action {
		case store.ActionSkipped, store.ActionFailed, store.ActionDeactivated, store.ActionDeleted,
			store.ActionPendingDeactivation, store.ActionPendingDeletion:
			if o.Reason == "" {
				return false, o.Action
			}
			return false, o.Action + ": " + o.Reason
		}
	}
	return false, "the run added nobody"
}
