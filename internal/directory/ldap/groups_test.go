package ldap

import (
	"bufio"
	"context"
	"net"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// readComplete runs SearchComplete and returns its entries by DN, with the
// bytes the read allocated.
func readComplete(t *testing.T, lc *Conn, q directory.Query, fast bool) (map[string]map[string][]string, uint64) {
	t.Helper()
	old := useFastSearch
	useFastSearch = fast
	defer func() { useFastSearch = old }()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out := map[string]map[string][]string{}
	err := lc.SearchComplete(context.Background(), q, func(e *directory.Entry) error {
		out[e.DN] = e.Attrs
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("SearchComplete (fast %v): %v", fast, err)
	}
	return out, after.TotalAlloc - before.TotalAlloc
}

// OpenLDAP sends a group's members whole: SearchComplete reads groups on
// the fast path there, seeing exactly what go-ldap sees at a fraction of
// the allocation, which at 100,000 users in groups decided the peak memory
// of every run.
func TestSearchCompleteFastOnOpenLDAP(t *testing.T) {
	const n = 3000
	s := slapd.Start(t, n, 2) // two groups of 1,500 members
	lc := dialT(t, testConn(s))
	q := directory.Query{BaseDN: slapd.GroupsDN, Filter: "(objectClass=groupOfNames)", Attributes: []string{"cn", "member"}, PageSize: 1}
	fast, fastBytes := readComplete(t, lc, q, true)
	slow, slowBytes := readComplete(t, lc, q, false)
	if len(fast) != 2 || len(fast["cn=group001,"+slapd.GroupsDN]["member"]) != n/2 {
		t.Fatalf("fast read: %d groups, %d members in the first", len(fast), len(fast["cn=group001,"+slapd.GroupsDN]["member"]))
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatal("the fast and go-ldap reads of the groups differ")
	}
	if fastBytes*3 > slowBytes {
		t.Errorf("fast read allocated %d bytes, go-ldap %d: want under a third", fastBytes, slowBytes)
	}
}

// A server other than Active Directory that still sends an attribute in
// ranges ("member;range=0-1", then "member;range=2-*" on request) must not
// leave a group with its first range only: the entry is completed after the
// fast search, with go-ldap, under the plain attribute name.
func TestSearchCompleteFinishesRangesOnTheFastPath(t *testing.T) {
	replies := []func(id int64) []byte{
		func(id int64) []byte { // the paged search: one group, members 0-1 of 3
			return append(entryMessage(t, id, "cn=g,dc=x", []testAttr{{"cn", []string{"g"}}, {"member;range=0-1", []string{"uid=a,dc=x", "uid=b,dc=x"}}}),
				doneMessage(t, id, 0, "", true, "")...)
		},
		func(id int64) []byte { // the base search for the rest
			return append(entryMessage(t, id, "cn=g,dc=x", []testAttr{{"member;range=2-*", []string{"uid=c,dc=x"}}}),
				doneMessage(t, id, 0, "", false, "")...)
		},
	}
	c := sequenceServer(t, replies)
	lc := dialT(t, c)
	if lc.h == nil {
		t.Fatal("no handoff connection: the fast path would never run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []*directory.Entry
	err := lc.SearchComplete(ctx, directory.Query{BaseDN: "dc=x", Filter: "(objectClass=*)", Attributes: []string{"cn", "member"}},
		func(e *directory.Entry) error { got = append(got, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d entries, want 1", len(got))
	}
	members := got[0].Values("member")
	if want := []string{"uid=a,dc=x", "uid=b,dc=x", "uid=c,dc=x"}; !slices.Equal(members, want) {
		t.Errorf("members %v, want %v", members, want)
	}
	for name := range got[0].Attrs {
		if name != "cn" && name != "member" {
			t.Errorf("attribute %q left in the entry", name)
		}
	}
}

// sequenceServer is fakeServer answering the requests after the bind with
// replies in turn, then silence until the test ends.
func sequenceServer(t *testing.T, replies []func(id int64) []byte) Config {
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
			switch {
			case i == 0:
				conn.Write(bindOK(m.id))
			case i-1 < len(replies):
				conn.Write(replies[i-1](m.id))
			default:
				<-done
				return
			}
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	return Config{Security: SecurityNone, DNSName: "127.0.0.1", Port: port, Username: "cn=x", Password: "y",
		SearchPath: "dc=x", SearchFilter: "(objectClass=*)", PageSize: 1000}
}
