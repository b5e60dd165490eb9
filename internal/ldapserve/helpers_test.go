package ldapserve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
	"github.com/usersync/usersync/internal/testdir/certs"
)

// fixture is a store with users, a view, an account, and a running LDAP
// interface on an LDAPS port and a StartTLS port.
type fixture struct {
	st        *sqlite.Store
	srv       *Server
	ldaps     string
	plain     string
	tls       *tls.Config // what a client that trusts the CA uses
	ids       map[string]int64
	accountDN string
	password  string
}

const (
	testBase     = "ou=people,o=example"
	testPassword = "Correct-Horse-42-battery"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// newFixture stores users of two connections: nasty ones included (a
// comma and a plus in a userId, an inactive user, a local user, mixed-case
// mail), a group and a permission set.
func newFixture(t *testing.T, mutate func(*Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, ids: map[string]int64{}}
	f.addUsers(t, "corp",
		user("1", "alice", "active", "Alice Liddell", "Alice", "Liddell", "Alice@Example.com", "+1 555 0101"),
		user("2", "bob", "active", "Bob Builder", "Bob", "Builder", "bob@example.com", "+1 555 0102"),
		user("3", "smith, john+x", "active", "John Smith", "John", "Smith", "john@example.com", ""),
		user("4", "carol", "inactive", "Carol Gone", "Carol", "Gone", "carol@example.com", ""),
	)
	f.addUsers(t, "other", user("1", "mallory", "active", "Mallory", "Mal", "Lory", "mallory@example.com", ""))
	for _, m := range []struct{ user, kind, name string }{
		{"alice", store.KindGroup, "Sales"}, {"bob", store.KindGroup, "Sales"}, {"alice", store.KindPermissionSet, "Admins"},
	} {
		if err := st.AddMembership(ctx, f.ids[m.user], m.kind, m.name, store.SourceManual); err != nil {
			// The entity must exist first.
			if _, err := st.CreateEntity(ctx, m.kind, m.name); err != nil && !errors.Is(err, store.ErrConflict) {
				t.Fatal(err)
			}
			if err := st.AddMembership(ctx, f.ids[m.user], m.kind, m.name, store.SourceManual); err != nil {
				t.Fatal(err)
			}
		}
	}
	v := store.LDAPView{Name: "people", BaseDN: testBase, Connections: []string{"corp"}}
	if err := ValidateView(&v); err != nil {
		t.Fatal(err)
	}
	if err := st.PutLDAPView(ctx, v); err != nil {
		t.Fatal(err)
	}
	other := store.LDAPView{Name: "others", BaseDN: "ou=others,o=example", Connections: []string{"other"}}
	if err := ValidateView(&other); err != nil {
		t.Fatal(err)
	}
	if err := st.PutLDAPView(ctx, other); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutLDAPAccount(ctx, store.LDAPAccount{View: "people", Name: "phone", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	f.accountDN, f.password = AccountDN(v, "phone"), testPassword

	pair, err := certs.New("ldapserve test CA", []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pair.CAPEM)
	f.tls = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	cfg := Config{Store: st, TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	if mutate != nil {
		mutate(&cfg)
	}
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	f.ldaps, f.plain = freeAddr(t), freeAddr(t)
	if cfg.TLS != nil {
		if err := f.srv.ListenLDAPS(f.ldaps); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.srv.ListenPlain(f.plain); err != nil {
		t.Fatal(err)
	}
	return f
}

func user(ext, id, status, display, first, last, mail, phone string) store.User {
	return store.User{ExternalID: ext, UserID: id, Status: status, Fields: map[string]string{
		store.FieldDisplayName: display, store.FieldFirstName: first, store.FieldLastName: last,
		store.FieldEmail: mail, "telephoneNumber": phone, "department": "R&D",
	}}
}

func (f *fixture) addUsers(t *testing.T, conn string, users ...store.User) {
	t.Helper()
	ctx := context.Background()
	run, err := f.st.CreateRun(ctx, store.Run{Connection: conn, Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	var active, inactive []store.User
	for _, u := range users {
		if u.Status == store.StatusInactive {
			u.Status = store.StatusActive
			inactive = append(inactive, u)
		}
		active = append(active, u)
	}
	if err := f.st.Apply(ctx, store.Batch{RunID: run, Connection: conn, Creates: active}); err != nil {
		t.Fatal(err)
	}
	var deactivate []int64
	err = f.st.ScanIndex(ctx, conn, func(e store.IndexEntry) error {
		f.ids[e.UserID] = e.ID
		for _, u := range inactive {
			if u.ExternalID == e.ExternalID {
				deactivate = append(deactivate, e.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(deactivate) > 0 {
		if err := f.st.Apply(ctx, store.Batch{RunID: run, Connection: conn, Deactivate: deactivate}); err != nil {
			t.Fatal(err)
		}
	}
}

// dial connects over LDAPS, bound as the view's account unless anonymous.
func (f *fixture) dial(t *testing.T, bind bool) *ldapv3.Conn {
	t.Helper()
	c, err := ldapv3.DialURL("ldaps://"+f.ldaps, ldapv3.DialWithTLSConfig(f.tls))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if bind {
		if err := c.Bind(f.accountDN, f.password); err != nil {
			t.Fatalf("bind as %s: %v", f.accountDN, err)
		}
	}
	return c
}

func search(c *ldapv3.Conn, base string, scope int, filter string, attrs ...string) (*ldapv3.SearchResult, error) {
	return c.Search(ldapv3.NewSearchRequest(base, scope, ldapv3.NeverDerefAliases, 0, 0, false, filter, attrs, nil))
}

func dns(res *ldapv3.SearchResult) []string {
	var out []string
	for _, e := range res.Entries {
		out = append(out, e.DN)
	}
	return out
}

func code(err error) int {
	var le *ldapv3.Error
	if errors.As(err, &le) {
		return int(le.ResultCode)
	}
	if err == nil {
		return 0
	}
	return -1
}
