package ldap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/testdir/samba"
)

func dialAD(t *testing.T, dc *samba.DC) *Conn {
	t.Helper()
	c := Config{DNSName: dc.Host, Port: 636, Security: SecurityLDAPS,
		CACertificate: string(dc.CAPEM), Username: dc.AdminUPN, Password: dc.AdminPassword}
	conn, err := Dial(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestRangedAttributes reads a group's members in ranges of ten (asking for
// member;range=0-9 makes the server answer the way AD answers any list
// longer than MaxValRange) and expects them merged under "member".
func TestRangedAttributes(t *testing.T) {
	dc := samba.StartWithUsers(t, 30)
	var members []string
	for i := 1; i <= 25; i++ {
		members = append(members, samba.GeneratedUserDN(i))
	}
	group := dc.AddGroup(t, "ranged", members)
	conn := dialAD(t, dc)
	for _, attr := range []string{"member;range=0-9", "member"} {
		var got *directory.Entry
		err := conn.Search(context.Background(), directory.Query{BaseDN: group, Filter: "(objectClass=group)", Attributes: []string{attr}},
			func(e *directory.Entry) error { got = e; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || len(got.Values("member")) != 25 {
			t.Fatalf("asking for %s: got %v, want 25 members under \"member\"", attr, got)
		}
	}
}

// TestChangeToken reads the watermark of a Samba DC and checks that
// ReadChanges refuses a token with another invocationID.
func TestChangeToken(t *testing.T) {
	dc := samba.StartWithUsers(t, 30)
	conn := dialAD(t, dc)
	ctx := context.Background()
	q := directory.Query{BaseDN: dc.BaseDN, Filter: "(&(objectClass=user)(sAMAccountName=user*))", Attributes: []string{"objectGUID"}}
	tok, err := conn.ChangeToken(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var parsed usnToken
	if err := json.Unmarshal([]byte(tok), &parsed); err != nil || parsed.USN <= 0 || parsed.InvocationID == "" {
		t.Fatalf("token %q: %v", tok, err)
	}
	dc.Replace(t, samba.GeneratedUserDN(1), "displayName", "Changed")
	dc.Delete(t, samba.GeneratedUserDN(2))
	kinds := map[directory.ChangeKind]int{}
	if err := conn.ReadChanges(ctx, q, tok, func(ch directory.Change) error { kinds[ch.Kind]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if kinds[directory.Changed] != 1 || kinds[directory.Deleted] != 1 {
		t.Fatalf("changes by kind %v, want one changed and one deleted", kinds)
	}
	parsed.InvocationID = "00000000-0000-0000-0000-000000000000"
	other, _ := json.Marshal(parsed)
	err = conn.ReadChanges(ctx, q, string(other), func(directory.Change) error { return fmt.Errorf("called") })
	if !errors.Is(err, directory.ErrTokenExpired) {
		t.Fatalf("foreign token: %v, want ErrTokenExpired", err)
	}
}
