package samba

import (
	"crypto/tls"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

func TestLDAPSAndStartTLS(t *testing.T) {
	dc := Start(t)
	t.Logf("DC on %s: template %v, copy %v, start %v", dc.Host, dc.Timings.Template, dc.Timings.Copy, dc.Timings.Start)

	cfg := dc.TLSConfig()
	if cfg.InsecureSkipVerify {
		t.Fatal("TLSConfig skips verification")
	}
	conn, err := ldap.DialURL(dc.LDAPSURL(), ldap.DialWithTLSConfig(cfg))
	if err != nil {
		t.Fatalf("ldaps dial verifying CAPEM: %v", err)
	}
	defer conn.Close()
	if err := conn.Bind(dc.AdminUPN, dc.AdminPassword); err != nil {
		t.Fatalf("ldaps bind by UPN: %v", err)
	}

	// A client that trusts only the system roots must refuse the DC.
	if c, err := ldap.DialURL(dc.LDAPSURL(), ldap.DialWithTLSConfig(&tls.Config{ServerName: dc.Host})); err == nil {
		c.Close()
		t.Fatal("ldaps dial without CAPEM succeeded")
	}

	plain, err := ldap.DialURL(dc.LDAPURL())
	if err != nil {
		t.Fatalf("ldap dial: %v", err)
	}
	defer plain.Close()
	if err := plain.Bind(dc.AdminDN, dc.AdminPassword); !ldap.IsErrorWithCode(err, ldap.LDAPResultStrongAuthRequired) {
		t.Fatalf("plain simple bind: want strongAuthRequired, got %v", err)
	}
	st, err := ldap.DialURL(dc.LDAPURL())
	if err != nil {
		t.Fatalf("ldap dial: %v", err)
	}
	defer st.Close()
	if err := st.StartTLS(dc.TLSConfig()); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	if err := st.Bind(dc.AdminDN, dc.AdminPassword); err != nil {
		t.Fatalf("bind after StartTLS: %v", err)
	}

	res, err := st.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"defaultNamingContext", "highestCommittedUSN", "dsServiceName"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("rootDSE: %v", err)
	}
	root := res.Entries[0]
	if got := root.GetAttributeValue("defaultNamingContext"); got != dc.BaseDN {
		t.Errorf("defaultNamingContext = %q, want %q", got, dc.BaseDN)
	}
	if usn, err := strconv.Atoi(root.GetAttributeValue("highestCommittedUSN")); err != nil || usn <= 0 {
		t.Errorf("highestCommittedUSN = %q", root.GetAttributeValue("highestCommittedUSN"))
	}
	if got := root.GetAttributeValue("dsServiceName"); got == "" {
		t.Error("dsServiceName is empty")
	}
}

func TestUsersAndGroups(t *testing.T) {
	dc := Start(t)
	dns := dc.AddUsers(t, 200, func(i int) UserSpec {
		u := GeneratedUser(i + 1)
		u.SAMAccountName = fmt.Sprintf("t%04d", i)
		u.UserPrincipalName = ""
		return u
	})
	gdn := dc.AddGroup(t, "Staff", dns[:150])
	dc.AddMembers(t, gdn, dns[150:])

	conn := dc.Dial(t)
	res, err := conn.SearchWithPaging(ldap.NewSearchRequest(UsersDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectClass=user)(sAMAccountName=t*))", []string{"objectGUID", "userAccountControl", "userPrincipalName", "department"}, nil), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 200 {
		t.Fatalf("read %d users, want 200", len(res.Entries))
	}
	for _, e := range res.Entries {
		if g := e.GetRawAttributeValue("objectGUID"); len(g) != 16 {
			t.Fatalf("%s: objectGUID has %d bytes", e.DN, len(g))
		}
	}
	// GeneratedUser(10) is disabled, GeneratedUser(1) is not.
	if uac := uacOf(t, dc, dns[9]); uac&UACDisabled == 0 {
		t.Errorf("disabled user: userAccountControl = %#x", uac)
	}
	if uac := uacOf(t, dc, dns[0]); uac != UACNormalAccount {
		t.Errorf("enabled user: userAccountControl = %#x, want 0x200", uac)
	}
	if uac := uacOf(t, dc, dns[50]); uac != UACNormalAccount {
		t.Errorf("user without password: userAccountControl = %#x, want 0x200", uac)
	}

	g := dc.Get(t, gdn, "member;range=0-*", "objectGUID")
	var members int
	for _, a := range g.Attributes {
		members += len(a.Values)
	}
	if members != 200+1 { // plus objectGUID
		t.Errorf("group has %d values, want 200 members", members-1)
	}

	// A user with a password binds by UPN; Disable stops that.
	u1 := GeneratedUser(1)
	bindAs(t, dc, "t0000@example.test", u1.Password, true)
	dc.Disable(t, dns[0])
	if uac := uacOf(t, dc, dns[0]); uac&UACDisabled == 0 {
		t.Errorf("after Disable: userAccountControl = %#x", uac)
	}
	bindAs(t, dc, "t0000@example.test", u1.Password, false)
	dc.Enable(t, dns[0])
	dc.SetPassword(t, dns[0], "New-Passw0rd-1")
	bindAs(t, dc, "t0000@example.test", "New-Passw0rd-1", true)

	dc.Replace(t, dns[1], "proxyAddresses", "SMTP:a@example.test", "smtp:b@example.test")
	if got := dc.Get(t, dns[1], "proxyAddresses").GetAttributeValues("proxyAddresses"); len(got) != 2 {
		t.Errorf("proxyAddresses = %q", got)
	}
	dc.Delete(t, dns[2])
	if _, err := getEntry(conn, dns[2]); err == nil {
		t.Error("deleted user still readable")
	}
}

func TestLockOut(t *testing.T) {
	dc := Start(t)
	dns := dc.AddUsers(t, 1, func(int) UserSpec { return GeneratedUser(1) })
	dc.LockOut(t, dns[0])
	// Locked out: even the right password fails now.
	bindAs(t, dc, GeneratedUser(1).UserPrincipalName, GeneratedPassword(1), false)
}

func TestTwoDCsAtOnce(t *testing.T) {
	var (
		mu  sync.Mutex
		dcs []*DC
		wg  sync.WaitGroup
	)
	for range 2 {
		wg.Go(func() {
			dc, err := StartDC(t.Context(), Options{})
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(func() { dc.Close() })
			mu.Lock()
			dcs = append(dcs, dc)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(dcs) != 2 {
		t.FailNow()
	}
	if dcs[0].Host == dcs[1].Host {
		t.Fatalf("both DCs on %s", dcs[0].Host)
	}
	dcs[0].AddUsers(t, 1, func(int) UserSpec { return UserSpec{SAMAccountName: "only-in-first"} })
	for i, dc := range dcs {
		_, err := getEntry(dc.Dial(t), UserSpec{SAMAccountName: "only-in-first"}.DN())
		if (err == nil) != (i == 0) {
			t.Errorf("DC %d on %s: read only-in-first: %v", i, dc.Host, err)
		}
	}
}

func TestStartWithUsers(t *testing.T) {
	const n = 1000
	for round := range 2 {
		t0 := time.Now()
		dc := StartWithUsers(t, n)
		t.Logf("round %d: StartWithUsers(%d) in %v (template %v, copy %v, start %v)",
			round, n, time.Since(t0), dc.Timings.Template, dc.Timings.Copy, dc.Timings.Start)
		conn := dc.Dial(t)
		res, err := conn.SearchWithPaging(ldap.NewSearchRequest(UsersDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
			"(&(objectClass=user)(sAMAccountName=user*))", []string{"sAMAccountName"}, nil), 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Entries) != n {
			t.Fatalf("%d generated users, want %d", len(res.Entries), n)
		}
		e := dc.Get(t, GeneratedUserDN(7), "mail", "department", "displayName", "userPrincipalName")
		want := GeneratedUser(7)
		if e.GetAttributeValue("mail") != want.Mail || e.GetAttributeValue("department") != want.Department ||
			e.GetAttributeValue("displayName") != want.DisplayName || e.GetAttributeValue("userPrincipalName") != want.UserPrincipalName {
			t.Errorf("user 7 = %v", e.Attributes)
		}
		if uac := uacOf(t, dc, GeneratedUserDN(30)); uac&UACDisabled == 0 {
			t.Errorf("user 30: userAccountControl = %#x, want disabled", uac)
		}
		bindAs(t, dc, GeneratedUser(1).UserPrincipalName, GeneratedPassword(1), true)
		if round == 0 {
			g := dc.AddGroup(t, "Everyone-Generated", nil)
			dns := make([]string, n)
			for i := range dns {
				dns[i] = GeneratedUserDN(i + 1)
			}
			t1 := time.Now()
			dc.AddMembers(t, g, dns)
			t.Logf("added %d members in %v", n, time.Since(t1))
		}
	}
}

func uacOf(t *testing.T, dc *DC, dn string) int {
	t.Helper()
	v, err := strconv.Atoi(dc.Get(t, dn, "userAccountControl").GetAttributeValue("userAccountControl"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func bindAs(t *testing.T, dc *DC, user, password string, wantOK bool) {
	t.Helper()
	conn, err := ldap.DialURL(dc.LDAPSURL(), ldap.DialWithTLSConfig(dc.TLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Bind(user, password)
	if (err == nil) != wantOK {
		t.Errorf("bind as %s: err = %v, want success %v", user, err, wantOK)
	}
}
