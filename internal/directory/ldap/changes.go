package ldap

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

var _ directory.ChangeReader = (*Conn)(nil)

// ControlShowDeleted is Active Directory's LDAP_SERVER_SHOW_DELETED_OID: a
// search with it also returns deleted objects (tombstones).
const ControlShowDeleted = "1.2.840.113556.1.4.417"

// usnToken is Active Directory's change watermark: the DC's
// highestCommittedUSN and the invocationID of its database. USNs are local
// to one DC and one database: a token from another DC, or from before a
// restore (which gives the DC a new invocationID), is useless.
type usnToken struct {
	InvocationID  string `json:"invocationId"`
	USN           int64  `json:"usn"`
	NamingContext string `json:"namingContext"`
}

// ChangeToken reads the DC's watermark from the root DSE
// (highestCommittedUSN, dsServiceName, defaultNamingContext) and the
// invocationId of the dsServiceName object.
//
// On OpenLDAP the token is a syncrepl cookie instead (see refresh.go).
func (c *Conn) ChangeToken(ctx context.Context, q directory.Query) (string, error) {
	if c.flavor == directory.FlavorOpenLDAP {
		return c.refreshToken(ctx, q)
	}
	if c.flavor == directory.FlavorOther {
		return c.timestampChangeToken(ctx)
	}
	t, err := c.watermark(ctx)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("ldap: change token: %w", err)
	}
	return string(b), nil
}

func (c *Conn) watermark(ctx context.Context) (usnToken, error) {
	var t usnToken
	if err := ctx.Err(); err != nil {
		return t, err
	}
	req := ldapv3.NewSearchRequest("", ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"highestCommittedUSN", "dsServiceName", "defaultNamingContext"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return t, classifySearch("(root DSE)", err)
	}
	if len(res.Entries) == 0 {
		return t, &Problem{Kind: KindDirectory, Msg: "the root DSE is empty: no change watermark"}
	}
	root := res.Entries[0]
	t.NamingContext = root.GetAttributeValue("defaultNamingContext")
	t.USN, err = strconv.ParseInt(root.GetAttributeValue("highestCommittedUSN"), 10, 64)
	if err != nil || t.NamingContext == "" {
		return t, &Problem{Kind: KindDirectory, Msg: "the root DSE has no highestCommittedUSN or defaultNamingContext: not Active Directory?"}
	}
	svc := root.GetAttributeValue("dsServiceName")
	req = ldapv3.NewSearchRequest(svc, ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"invocationId"}, nil)
	res, err = c.conn.Search(req)
	if err != nil {
		return t, classifySearch(svc, err)
	}
	if len(res.Entries) == 1 {
		if b := res.Entries[0].GetRawAttributeValue("invocationId"); len(b) > 0 {
			t.InvocationID = FormatGUID(b)
		}
	}
	if t.InvocationID == "" {
		return t, &Problem{Kind: KindDirectory, Msg: fmt.Sprintf("%q has no invocationId", svc)}
	}
	return t, nil
}

// ReadChanges reads the changes since a token with three searches, all for
// uSNChanged >= the token's USN + 1: the query's own base and filter (the
// changed entries still in scope), the whole naming context for identifiers
// only (an identifier not seen in the first search left the scope), and the
// naming context with the Show Deleted control for tombstones (isDeleted,
// moved to CN=Deleted Objects, keeping their objectGUID).
func (c *Conn) ReadChanges(ctx context.Context, q directory.Query, since string, fn func(directory.Change) error) error {
	if c.flavor == directory.FlavorOpenLDAP {
		return c.refresh(ctx, q, since, fn, nil)
	}
	if c.flavor == directory.FlavorOther {
		return c.readTimestampChanges(ctx, q, since, fn)
	}
	var old usnToken
	if err := json.Unmarshal([]byte(since), &old); err != nil || old.InvocationID == "" {
		return fmt.Errorf("ldap: %w: unreadable token %q", directory.ErrTokenExpired, since)
	}
	cur, err := c.watermark(ctx)
	if err != nil {
		return err
	}
	switch {
	case cur.InvocationID != old.InvocationID:
		return fmt.Errorf("ldap: %w: the DC's invocationID changed from %s to %s (another DC, or a restored database)",
			directory.ErrTokenExpired, old.InvocationID, cur.InvocationID)
	case cur.USN < old.USN:
		return fmt.Errorf("ldap: %w: the DC's highestCommittedUSN %d is below the saved %d", directory.ErrTokenExpired, cur.USN, old.USN)
	case cur.NamingContext != old.NamingContext:
		return fmt.Errorf("ldap: %w: the naming context changed from %q to %q", directory.ErrTokenExpired, old.NamingContext, cur.NamingContext)
	}
	usn := fmt.Sprintf("(uSNChanged>=%d)", old.USN+1)
	inScope := map[string]bool{}
	changed := q
	changed.Filter = "(&" + q.Filter + usn + ")"
	err = c.Search(ctx, changed, func(e *directory.Entry) error {
		inScope[e.Get("objectGUID")] = true
		return fn(directory.Change{Kind: directory.Changed, Entry: e})
	})
	if err != nil {
		return err
	}
	ids := directory.Query{BaseDN: cur.NamingContext, Filter: usn, Attributes: []string{"objectGUID"}, PageSize: q.PageSize}
	err = c.Search(ctx, ids, func(e *directory.Entry) error {
		if g := e.Get("objectGUID"); g == "" || inScope[g] {
			return nil
		}
		return fn(directory.Change{Kind: directory.Left, Entry: e})
	})
	if err != nil {
		return err
	}
	deleted := directory.Query{BaseDN: cur.NamingContext, Filter: "(&(isDeleted=TRUE)" + usn + ")",
		Attributes: []string{"objectGUID"}, PageSize: q.PageSize}
	return c.search(ctx, deleted, []ldapv3.Control{ldapv3.NewControlString(ControlShowDeleted, true, "")},
		func(e *directory.Entry) error {
			return fn(directory.Change{Kind: directory.Deleted, Entry: e})
		})
}

// GroupsChanged reports whether any group object in the token's naming
// context changed since the token (base is used when the token names none). Active Directory keeps memberOf as a back link: adding a user
// to a group changes the group's uSNChanged, not the user's, so a delta of
// user entries alone misses membership changes.
//
// On OpenLDAP a refresh of the groups under base from the cookie answers
// the same question.
func (c *Conn) GroupsChanged(ctx context.Context, base, since string) (bool, error) {
	if c.flavor == directory.FlavorOpenLDAP {
		changed := false
		q := directory.Query{BaseDN: base, Attributes: []string{"1.1"},
			Filter: "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))"}
		// The refresh is read to its end rather than stopped at the first
		// change: an abandoned search's late responses would reach the next
		// request on this connection.
		// Deletions are not counted: syncprov reports every entry deleted
		// under base, users included, and cannot say which were groups; a
		// deleted group's memberships go on the next full run.
		err := c.refresh(ctx, q, since, func(ch directory.Change) error {
			changed = changed || ch.Kind == directory.Changed
			return nil
		}, nil)
		return changed, err
	}
	if c.flavor == directory.FlavorOther {
		return false, errGroupsUnknown
	}
	var old usnToken
	if err := json.Unmarshal([]byte(since), &old); err != nil || old.InvocationID == "" {
		return false, fmt.Errorf("ldap: %w: unreadable token %q", directory.ErrTokenExpired, since)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if old.NamingContext != "" {
		base = old.NamingContext
	}
	// A size limit of 1: one changed group is enough to know.
	req := ldapv3.NewSearchRequest(base, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 1, 0, false,
		fmt.Sprintf("(&(objectClass=group)(uSNChanged>=%d))", old.USN+1), []string{"1.1"}, nil)
	res, err := c.conn.Search(req)
	if ldapv3.IsErrorWithCode(err, ldapv3.LDAPResultSizeLimitExceeded) {
		return true, nil
	}
	if err != nil {
		return false, classifySearch(base, err)
	}
	return len(res.Entries) > 0, nil
}
