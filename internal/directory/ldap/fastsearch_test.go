package ldap

import (
	"bufio"
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

func testConn(s *slapd.Server) Config {
	return Config{Security: SecurityNone, DNSName: "127.0.0.1", Port: s.Port, Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", PageSize: 100}
}

func dialT(t *testing.T, c Config) *Conn {
	t.Helper()
	lc, err := Dial(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	lc.UseFastSearch()
	t.Cleanup(func() { lc.Close() })
	return lc
}

// readAll runs one search and returns its entries by DN.
func readAll(t *testing.T, lc *Conn, q directory.Query, fast bool) map[string]map[string][]string {
	t.Helper()
	old := useFastSearch
	useFastSearch = fast
	defer func() { useFastSearch = old }()
	out := map[string]map[string][]string{}
	err := lc.Search(context.Background(), q, func(e *directory.Entry) error {
		out[e.DN] = e.Attrs
		return nil
	})
	if err != nil {
		t.Fatalf("search (fast %v): %v", fast, err)
	}
	return out
}

// TestFastSearchMatchesGoLDAP reads the same directory through both paths,
// over plain LDAP and ldaps, and on one connection several times in turn:
// the fast path must see exactly what go-ldap sees, and hand the connection
// back in working order.
func TestFastSearchMatchesGoLDAP(t *testing.T) {
	s := slapd.Start(t, 1050, 3)
	plain := testConn(s)
	tlsConn := plain
	tlsConn.Security, tlsConn.Port, tlsConn.CACertificate = SecurityLDAPS, s.TLSPort, string(s.CAPEM)
	tests := []struct {
		name  string
		c     Config
		attrs []string
	}{
		{"plain, usersync's attributes", plain, []string{"entryUUID", "uid", "mail", "cn", "objectClass"}},
		{"plain, all attributes", plain, nil},
		{"ldaps, all attributes", tlsConn, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lc := dialT(t, tt.c)
			if lc.h == nil {
				t.Fatal("no handoff connection: the fast path would never run")
			}
			q := directory.Query{BaseDN: slapd.Suffix, Filter: "(objectClass=*)", Attributes: tt.attrs, PageSize: 100}
			fast := readAll(t, lc, q, true)
			slow := readAll(t, lc, q, false) // go-ldap on the same connection, after the fast path
			again := readAll(t, lc, q, true)
			if len(fast) != 1050+3+3 {
				t.Fatalf("fast path read %d entries, want %d", len(fast), 1056)
			}
			if !reflect.DeepEqual(fast, slow) || !reflect.DeepEqual(fast, again) {
				t.Fatalf("fast and go-ldap reads differ (%d, %d, %d entries)", len(fast), len(slow), len(again))
			}
			if _, _, err := lc.RootDSE(context.Background()); err != nil {
				t.Fatalf("go-ldap operation after a fast search: %v", err)
			}
		})
	}
}

// TestFastSearchStopsAndFailsIncomplete holds "complete read before
// deactivation" on the fast path:
// a cancelled context, a callback error and a server killed mid-read all end
// the search with an error, and leave a connection that fails at once.
func TestFastSearchStopsAndFailsIncomplete(t *testing.T) {
	s := slapd.Start(t, 600, 0)
	c := testConn(s)
	q := directory.Query{BaseDN: c.SearchPath, Filter: c.SearchFilter, PageSize: 50}
	errStop := errors.New("stop")
	tests := []struct {
		name string
		at   int
		act  func(cancel context.CancelFunc) error
		want func(error) bool
	}{
		{"context cancelled", 60, func(cancel context.CancelFunc) error { cancel(); return nil },
			func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"callback error", 60, func(context.CancelFunc) error { return errStop },
			func(err error) bool { return errors.Is(err, errStop) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lc := dialT(t, c)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			err := lc.Search(ctx, q, func(*directory.Entry) error {
				n++
				if n == tt.at {
					return tt.act(cancel)
				}
				return nil
			})
			if !tt.want(err) {
				t.Fatalf("after %d entries: got %v", n, err)
			}
			if n == 600 {
				t.Fatal("the search read everything despite being stopped")
			}
			start := time.Now()
			if err := lc.Search(context.Background(), q, func(*directory.Entry) error { return nil }); err == nil {
				t.Fatal("a connection whose search was cut short served another one")
			}
			if time.Since(start) > 2*time.Second {
				t.Fatal("the broken connection hung instead of failing at once")
			}
		})
	}
	t.Run("server killed mid-read", func(t *testing.T) {
		lc := dialT(t, c)
		n := 0
		err := lc.Search(context.Background(), q, func(*directory.Entry) error {
			n++
			if n == 120 {
				s.Stop()
			}
			return nil
		})
		var p *Problem
		if !errors.As(err, &p) || p.Kind != KindUnreachable || !strings.Contains(p.Msg, "incomplete") {
			t.Fatalf("after %d entries: got %v, want an unreachable Problem saying the read is incomplete", n, err)
		}
	})
}

// fakeServer accepts one connection, answers its bind with success and its
// first search with reply(id); then it hangs until the test ends, or closes
// the connection when closeAfter is set.
func fakeServer(t *testing.T, reply func(id int64) []byte, closeAfter bool) Config {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := &msgReader{r: bufio.NewReader(conn)}
		for i := 0; ; i++ {
			raw, err := r.next()
			if err != nil {
				return
			}
			m, err := parseMessage(raw)
			if err != nil {
				return
			}
			if i == 0 {
				conn.Write(bindOK(m.id))
				continue
			}
			conn.Write(reply(m.id))
			if closeAfter {
				return
			}
			<-done
			return
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	return Config{Security: SecurityNone, DNSName: "127.0.0.1", Port: port, Username: "cn=x", Password: "y",
		SearchPath: "dc=x", SearchFilter: "(objectClass=*)", PageSize: 1000}
}

func bindOK(id int64) []byte {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, ""))
	r := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldapv3.ApplicationBindResponse, nil, "")
	r.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 0, ""))
	r.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
	r.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
	p.AppendChild(r)
	return p.Bytes()
}

// TestFastSearchRejectsBadServers drives the fast path against servers that
// misbehave on the wire: every case must be an error (the read is
// incomplete), none may hang or be taken as a complete read.
func TestFastSearchRejectsBadServers(t *testing.T) {
	one := func(id int64) []byte { return entryMessage(t, id, "uid=a,dc=x", []testAttr{{"uid", []string{"a"}}}) }
	tests := []struct {
		name       string
		reply      func(id int64) []byte
		closeAfter bool
		want       string
	}{
		{"closed mid-page", one, true, "incomplete"},
		{"closed mid-message", func(id int64) []byte { b := one(id); return b[:len(b)-3] }, true, "incomplete"},
		{"garbage", func(int64) []byte { return []byte{0x30, 0x03, 0x02, 0x01} }, true, "incomplete"},
		{"not BER at all", func(int64) []byte { return []byte("HTTP/1.1 400 Bad Request\r\n\r\n") }, true, "malformed"},
		{"malformed entry", func(id int64) []byte {
			return append(one(id), 0x30, 0x07, 0x02, 0x01, byte(id), 0x64, 0x02, 0x02, 0x00)
		}, false, "malformed"},
		{"wrong message id", func(id int64) []byte { return one(id + 1) }, false, "malformed"},
		{"size limit", func(id int64) []byte { return append(one(id), doneMessage(t, id, 4, "size limit", false, "")...) }, false, "server limit"},
		{"notice of disconnection", func(id int64) []byte {
			p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
			p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 0, ""))
			r := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldapv3.ApplicationExtendedResponse, nil, "")
			r.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, 52, ""))
			r.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
			r.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "shutting down", ""))
			p.AppendChild(r)
			return append(one(id), p.Bytes()...)
		}, false, "closing the connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeServer(t, tt.reply, tt.closeAfter)
			lc := dialT(t, c)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := lc.Search(ctx, directory.Query{BaseDN: c.SearchPath, Filter: c.SearchFilter}, func(*directory.Entry) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("cancelled while waiting for the server", func(t *testing.T) {
		c := fakeServer(t, one, false) // one entry, then silence
		lc := dialT(t, c)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := lc.Search(ctx, directory.Query{BaseDN: c.SearchPath, Filter: c.SearchFilter}, func(*directory.Entry) error { return nil })
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
			t.Fatalf("got %v after %v, want the context's deadline promptly", err, time.Since(start))
		}
	})
}
