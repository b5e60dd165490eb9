package ldap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// LDAP servers that offer neither Active Directory's USNs nor syncrepl can
// still be read incrementally when they keep modifyTimestamp and announce
// their clock as currentTime in the root DSE (usersync's own LDAP
// interface does): the token is the server's time when a read began, and
// the changes are the entries with (modifyTimestamp>=token). Such a read
// cannot see entries that were deleted or left the scope; a full run does.

// errGroupsUnknown is why a run with group rules is full on such a server:
// a membership change need not touch the member's modifyTimestamp.
var errGroupsUnknown = errors.New("ldap: a server read by modifyTimestamp cannot tell whether group memberships changed")

// timestampToken is the change watermark of such a server.
type timestampToken struct {
	ModifyTimestamp string `json:"modifyTimestamp"`
}

const generalizedTimeLayout = "20060102150405Z"

// timestampChangeToken reads the server's clock from the root DSE.
func (c *Conn) timestampChangeToken(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	req := ldapv3.NewSearchRequest("", ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"currentTime"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return "", classifySearch("(root DSE)", err)
	}
	var now string
	if len(res.Entries) == 1 {
		now = res.Entries[0].GetAttributeValue("currentTime")
	}
	t, err := time.Parse(generalizedTimeLayout, now)
	if err != nil {
		return "", &Problem{Kind: KindDirectory, Msg: "the root DSE has no currentTime: the server offers no way to read only what changed"}
	}
	b, err := json.Marshal(timestampToken{ModifyTimestamp: t.UTC().Format(generalizedTimeLayout)})
	if err != nil {
		return "", fmt.Errorf("ldap: change token: %w", err)
	}
	return string(b), nil
}

// readTimestampChanges reports every entry in the query's scope modified at
// or after the token's time. The same second is read again rather than
// risk missing a change made within it.
func (c *Conn) readTimestampChanges(ctx context.Context, q directory.Query, since string, fn func(directory.Change) error) error {
	var tok timestampToken
	if err := json.Unmarshal([]byte(since), &tok); err != nil {
		return fmt.Errorf("ldap: %w: unreadable token %q", directory.ErrTokenExpired, since)
	}
	if _, err := time.Parse(generalizedTimeLayout, tok.ModifyTimestamp); err != nil {
		return fmt.Errorf("ldap: %w: unreadable token %q", directory.ErrTokenExpired, since)
	}
	changed := q
	changed.Filter = "(&" + q.Filter + "(modifyTimestamp>=" + tok.ModifyTimestamp + "))"
	return c.Search(ctx, changed, func(e *directory.Entry) error {
		return fn(directory.Change{Kind: directory.Changed, Entry: e})
	})
}
