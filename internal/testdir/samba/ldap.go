package samba

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
)

// userAccountControl bits used by the helpers.
const (
	// UACDisabled is ACCOUNTDISABLE (0x2).
	UACDisabled = 0x2
	// UACNormalAccount is NORMAL_ACCOUNT (0x200).
	UACNormalAccount = 0x200
)

// DialContext opens an LDAPS connection bound as Administrator.
func (dc *DC) DialContext(ctx context.Context) (*ldap.Conn, error) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if deadline, ok := ctx.Deadline(); ok {
		d.Deadline = deadline
	}
	conn, err := ldap.DialURL(dc.LDAPSURL(), ldap.DialWithDialer(d), ldap.DialWithTLSConfig(dc.TLSConfig()))
	if err != nil {
		return nil, fmt.Errorf("samba: dial %s: %w", dc.LDAPSURL(), err)
	}
	conn.SetTimeout(time.Minute)
	if err := conn.Bind(dc.AdminDN, dc.AdminPassword); err != nil {
		conn.Close()
		return nil, fmt.Errorf("samba: bind %s: %w", dc.AdminDN, err)
	}
	return conn, nil
}

// Dial returns an LDAPS connection bound as Administrator, closed when the
// test ends.
func (dc *DC) Dial(t testing.TB) *ldap.Conn {
	t.Helper()
	conn, err := dc.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// withConn runs fn on a fresh admin connection.
func (dc *DC) withConn(ctx context.Context, fn func(*ldap.Conn) error) error {
	conn, err := dc.DialContext(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return fn(conn)
}

// Modify applies req as Administrator.
func (dc *DC) Modify(t testing.TB, req *ldap.ModifyRequest) {
	t.Helper()
	err := dc.withConn(context.Background(), func(c *ldap.Conn) error { return c.Modify(req) })
	if err != nil {
		t.Fatalf("samba: modify %s: %v", req.DN, err)
	}
}

// Replace sets attr of dn to values (none removes the attribute).
func (dc *DC) Replace(t testing.TB, dn, attr string, values ...string) {
	t.Helper()
	req := ldap.NewModifyRequest(dn, nil)
	req.Replace(attr, values)
	dc.Modify(t, req)
}

// Delete deletes the leaf entry dn.
func (dc *DC) Delete(t testing.TB, dn string) {
	t.Helper()
	err := dc.withConn(context.Background(), func(c *ldap.Conn) error {
		return c.Del(ldap.NewDelRequest(dn, nil))
	})
	if err != nil {
		t.Fatalf("samba: delete %s: %v", dn, err)
	}
}

// Get reads dn's attributes (all user attributes when none are named).
func (dc *DC) Get(t testing.TB, dn string, attrs ...string) *ldap.Entry {
	t.Helper()
	var entry *ldap.Entry
	err := dc.withConn(context.Background(), func(c *ldap.Conn) error {
		var err error
		entry, err = getEntry(c, dn, attrs...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return entry
}

func getEntry(c *ldap.Conn, dn string, attrs ...string) (*ldap.Entry, error) {
	res, err := c.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", attrs, nil))
	if err != nil {
		return nil, fmt.Errorf("samba: read %s: %w", dn, err)
	}
	if len(res.Entries) != 1 {
		return nil, fmt.Errorf("samba: read %s: %d entries", dn, len(res.Entries))
	}
	return res.Entries[0], nil
}

// Disable sets the ACCOUNTDISABLE bit (0x2) of dn's userAccountControl.
func (dc *DC) Disable(t testing.TB, dn string) {
	t.Helper()
	dc.setUAC(t, dn, UACDisabled, true)
}

// Enable clears the ACCOUNTDISABLE bit of dn's userAccountControl.
func (dc *DC) Enable(t testing.TB, dn string) {
	t.Helper()
	dc.setUAC(t, dn, UACDisabled, false)
}

func (dc *DC) setUAC(t testing.TB, dn string, bit int, on bool) {
	t.Helper()
	err := dc.withConn(context.Background(), func(c *ldap.Conn) error {
		e, err := getEntry(c, dn, "userAccountControl")
		if err != nil {
			return err
		}
		uac, err := strconv.Atoi(e.GetAttributeValue("userAccountControl"))
		if err != nil {
			return fmt.Errorf("samba: userAccountControl of %s: %w", dn, err)
		}
		if on {
			uac |= bit
		} else {
			uac &^= bit
		}
		req := ldap.NewModifyRequest(dn, nil)
		req.Replace("userAccountControl", []string{strconv.Itoa(uac)})
		return c.Modify(req)
	})
	if err != nil {
		t.Fatalf("samba: set userAccountControl of %s: %v", dn, err)
	}
}

// SetPassword sets dn's password (an administrative reset of unicodePwd,
// which AD accepts only over an encrypted connection).
func (dc *DC) SetPassword(t testing.TB, dn, password string) {
	t.Helper()
	req := ldap.NewModifyRequest(dn, nil)
	req.Replace("unicodePwd", []string{encodePassword(password)})
	dc.Modify(t, req)
}

// encodePassword returns unicodePwd's value: the password in double quotes,
// UTF-16LE.
func encodePassword(pw string) string {
	u := utf16.Encode([]rune(`"` + pw + `"`))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		b[2*i], b[2*i+1] = byte(r), byte(r>>8)
	}
	return string(b)
}

// LockoutThreshold is the domain's lockoutThreshold once LockOut has run:
// that many bad passwords lock an account.
const LockoutThreshold = 3

// LockOut locks dn's account the way a user would: it sets the domain's
// lockoutThreshold (Samba provisions 0, "never lock") to LockoutThreshold
// once per DC and then binds as dn with a wrong password that many times.
// Writing lockoutTime directly does not work: AD accepts only 0 there (an
// unlock), and Samba 4.17 stores a non-zero value but does not treat the
// account as locked (msDS-User-Account-Control-Computed stays 0 and binds
// succeed). The account needs a password; it stays locked for the domain's
// lockoutDuration (30 minutes), or until lockoutTime is replaced with 0.
func (dc *DC) LockOut(t testing.TB, dn string) {
	t.Helper()
	var policyErr error
	dc.lockOnce.Do(func() {
		policyErr = dc.withConn(context.Background(), func(c *ldap.Conn) error {
			req := ldap.NewModifyRequest(dc.BaseDN, nil)
			req.Replace("lockoutThreshold", []string{strconv.Itoa(LockoutThreshold)})
			return c.Modify(req)
		})
	})
	if policyErr != nil {
		t.Fatalf("samba: set lockoutThreshold: %v", policyErr)
	}
	for i := 0; i < LockoutThreshold; i++ {
		conn, err := ldap.DialURL(dc.LDAPSURL(), ldap.DialWithTLSConfig(dc.TLSConfig()))
		if err != nil {
			t.Fatalf("samba: lock out %s: %v", dn, err)
		}
		err = conn.Bind(dn, "wrong-Password-1")
		conn.Close()
		if !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			t.Fatalf("samba: lock out %s: bad bind %d: want invalid credentials, got %v", dn, i+1, err)
		}
	}
	e := dc.Get(t, dn, "lockoutTime")
	if v := e.GetAttributeValue("lockoutTime"); v == "" || v == "0" {
		t.Fatalf("samba: lock out %s: lockoutTime is %q after %d bad binds", dn, v, LockoutThreshold)
	}
}

// AddGroup creates a global security group name in CN=Users with the
// given members and returns its DN.
func (dc *DC) AddGroup(t testing.TB, name string, memberDNs []string) string {
	t.Helper()
	dn := "CN=" + ldap.EscapeDN(name) + "," + UsersDN
	err := dc.withConn(context.Background(), func(c *ldap.Conn) error {
		req := ldap.NewAddRequest(dn, nil)
		req.Attribute("objectClass", []string{"group"})
		req.Attribute("sAMAccountName", []string{name})
		if err := c.Add(req); err != nil {
			return fmt.Errorf("samba: add group %s: %w", dn, err)
		}
		return addMembers(c, dn, memberDNs)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dn
}

// memberBatch is how many member values one modify request adds.
const memberBatch = 1000

// AddMembers adds members to groupDN in batches of memberBatch values per
// modify request, which makes groups of thousands quick to build.
func (dc *DC) AddMembers(t testing.TB, groupDN string, memberDNs []string) {
	t.Helper()
	err := dc.withConn(context.Background(), func(c *ldap.Conn) error {
		return addMembers(c, groupDN, memberDNs)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func addMembers(c *ldap.Conn, groupDN string, memberDNs []string) error {
	for len(memberDNs) > 0 {
		n := min(memberBatch, len(memberDNs))
		req := ldap.NewModifyRequest(groupDN, nil)
		req.Add("member", memberDNs[:n])
		if err := c.Modify(req); err != nil {
			return fmt.Errorf("samba: add members to %s: %w", groupDN, err)
		}
		memberDNs = memberDNs[n:]
	}
	return nil
}
