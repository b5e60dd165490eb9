package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/ldapserve"
	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
	"github.com/usersync/usersync/internal/testdir/certs"
)

// benchLDAPServe times searches filtered on uid and on mail against the LDAP
// interface over a SQLite store of n users: the time a client waits, over
// LDAPS on loopback, from sending the search to its last response.
func benchLDAPServe(ctx context.Context, w io.Writer, dir string, n, searches int) error {
	tmp, err := os.MkdirTemp(dir, "usersync-ldapserve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	st, err := sqlite.Open(ctx, filepath.Join(tmp, "ldapserve.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	seedStart := time.Now()
	if err := seedUsers(ctx, st, n); err != nil {
		return err
	}
	fmt.Fprintf(w, "ldapserve: stored %d users in %s\n", n, time.Since(seedStart).Round(time.Millisecond))
	v := store.LDAPView{Name: "people", BaseDN: "ou=people,o=example", Connections: []string{"bench"}}
	if err := ldapserve.ValidateView(&v); err != nil {
		return err
	}
	if err := st.PutLDAPView(ctx, v); err != nil {
		return err
	}
	const pw = "Bench-Reader-Password-1"
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	if err := st.PutLDAPAccount(ctx, store.LDAPAccount{View: v.Name, Name: "reader", PasswordHash: hash}); err != nil {
		return err
	}
	pair, err := certs.New("bench CA", nil, []net.IP{net.ParseIP("127.0.0.1")})
	if err != nil {
		return err
	}
	cert, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	if err != nil {
		return err
	}
	srv, err := ldapserve.New(ldapserve.Config{Store: st, TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err != nil {
		return err
	}
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	if err := srv.ListenLDAPS(addr); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pair.CAPEM)
	c, err := ldapv3.DialURL("ldaps://"+addr, ldapv3.DialWithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Bind(ldapserve.AccountDN(v, "reader"), pw); err != nil {
		return err
	}
	for _, kind := range []string{"uid", "mail"} {
		var times []time.Duration
		for i := range searches {
			k := rand.IntN(n) + 1
			filter := fmt.Sprintf("(uid=BenchUser%07d)", k)
			if kind == "mail" {
				filter = fmt.Sprintf("(mail=benchuser%07d@EXAMPLE.com)", k)
			}
			start := time.Now()
			res, err := c.Search(ldapv3.NewSearchRequest(v.BaseDN, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
				filter, []string{"uid", "cn", "mail", "telephoneNumber"}, nil))
			d := time.Since(start)
			if err != nil {
				return fmt.Errorf("search %s: %w", filter, err)
			}
			if len(res.Entries) != 1 {
				return fmt.Errorf("search %s: %d entries, want 1", filter, len(res.Entries))
			}
			if i > 0 { // the first search warms the connection and caches
				times = append(times, d)
			}
		}
		slices.Sort(times)
		pct := func(p float64) time.Duration { return times[int(p*float64(len(times)-1))] }
		fmt.Fprintf(w, "ldapserve: (%s=x) over %d users, %d searches: p50 %s, p99 %s, max %s\n",
			kind, n, len(times), pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), times[len(times)-1].Round(time.Microsecond))
	}
	// A client that mirrors the view (a second usersync, an LDAP connector)
	// reads every user in pages of 1,000.
	start := time.Now()
	res, err := c.SearchWithPaging(ldapv3.NewSearchRequest(v.BaseDN, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
		"(objectClass=inetOrgPerson)", []string{"uid", "mail", "entryUUID", "modifyTimestamp"}, nil), 1000)
	if err != nil {
		return fmt.Errorf("paged read: %w", err)
	}
	if len(res.Entries) != n {
		return fmt.Errorf("paged read: %d entries, want %d", len(res.Entries), n)
	}
	fmt.Fprintf(w, "ldapserve: paged read of all %d users (pages of 1,000): %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// seedUsers stores n users of the connection "bench" in batches, as sync
// would.
func seedUsers(ctx context.Context, st store.Store, n int) error {
	run, err := st.CreateRun(ctx, store.Run{Connection: "bench", Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		return err
	}
	const batch = 5000
	for start := 1; start <= n; start += batch {
		var users []store.User
		for i := start; i < min(start+batch, n+1); i++ {
			id := fmt.Sprintf("benchuser%07d", i)
			users = append(users, store.User{ExternalID: id, UserID: id, Status: store.StatusActive, Fields: map[string]string{
				store.FieldDisplayName: fmt.Sprintf("Bench User %d", i), store.FieldEmail: id + "@example.com",
				store.FieldFirstName: "Bench", store.FieldLastName: fmt.Sprintf("User %d", i), "telephoneNumber": fmt.Sprintf("+1 555 %07d", i),
			}})
		}
		if err := st.Apply(ctx, store.Batch{RunID: run, Connection: "bench", Creates: users}); err != nil {
			return err
		}
	}
	return nil
}
