package demodir

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/ldapfilter"
)

// ErrNoSuchObject is returned by the mutation methods when the DN names no
// entry in the demo directory.
var ErrNoSuchObject = errors.New("no such object")

// ErrNotAllowedOnNonLeaf is returned by Delete for an entry that still has
// entries below it.
var ErrNotAllowedOnNonLeaf = errors.New("entry has children")

// whenChangedLayout is Active Directory's GeneralizedTime form.
const whenChangedLayout = "20060102150405.0Z"

// attribute is one attribute of an entry, with the name in its schema casing.
type attribute struct {
	name   string
	values []string
}

// entry is one directory object. seq gives entries a stable order that the
// paged-results cookie can resume from; rdns is the normalised DN, leaf first.
type entry struct {
	dn    string
	rdns  []string
	seq   int
	attrs []attribute
	// deleted marks a tombstone: found only with the Show Deleted control.
	deleted bool
}

// get returns the values of the named attribute (case-insensitive).
func (e *entry) get(name string) []string {
	for _, a := range e.attrs {
		if strings.EqualFold(a.name, name) {
			return a.values
		}
	}
	return nil
}

// set replaces the values of the named attribute; no values removes it.
func (e *entry) set(name string, values []string) {
	i := slices.IndexFunc(e.attrs, func(a attribute) bool { return strings.EqualFold(a.name, name) })
	switch {
	case i >= 0 && len(values) == 0:
		e.attrs = slices.Delete(e.attrs, i, i+1)
	case i >= 0:
		e.attrs[i].values = slices.Clone(values)
	case len(values) > 0:
		e.attrs = append(e.attrs, attribute{name: name, values: slices.Clone(values)})
	}
}

// clone returns a deep copy, so a response can be written without the lock
// and a modify can be applied all-or-nothing.
func (e *entry) clone() *entry {
	c := *e
	c.attrs = make([]attribute, len(e.attrs))
	for i, a := range e.attrs {
		c.attrs[i] = attribute{name: a.name, values: slices.Clone(a.values)}
	}
	return &c
}

// store holds the entries in insertion order under a RWMutex.
type store struct {
	mu      sync.RWMutex
	entries []*entry
	byDN    map[string]*entry
	nextSeq int
	usn     int64
}

func newStore() *store {
	return &store{byDN: map[string]*entry{}, usn: 12000}
}

// normalizeDN parses a DN into lower-cased "type=value" RDNs, leaf first.
// Unparseable input falls back to splitting on commas so lookups still fail
// cleanly with noSuchObject rather than an internal error.
func normalizeDN(dn string) []string {
	parsed, err := ldapv3.ParseDN(dn)
	if err != nil {
		var out []string
		for p := range strings.SplitSeq(dn, ",") {
			out = append(out, strings.ToLower(strings.TrimSpace(p)))
		}
		return out
	}
	out := make([]string, 0, len(parsed.RDNs))
	for _, rdn := range parsed.RDNs {
		parts := make([]string, 0, len(rdn.Attributes))
		for _, a := range rdn.Attributes {
			parts = append(parts, strings.ToLower(a.Type)+"="+strings.ToLower(a.Value))
		}
		out = append(out, strings.Join(parts, "+"))
	}
	return out
}

// dnKey is the map key of a DN.
func dnKey(dn string) string { return strings.Join(normalizeDN(dn), ",") }

// sameDN reports whether two DNs name the same entry.
func sameDN(a, b string) bool { return dnKey(a) == dnKey(b) }

// bumpLocked advances highestCommittedUSN and stamps the entry with it.
func (s *store) bumpLocked(e *entry, now time.Time) {
	s.usn++
	e.set("uSNChanged", []string{strconv.FormatInt(s.usn, 10)})
	e.set("whenChanged", []string{now.UTC().Format(whenChangedLayout)})
}

// add inserts a new entry; it is used while building the sample content.
func (s *store) add(dn string, attrs []attribute, when time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &entry{dn: dn, rdns: normalizeDN(dn), seq: s.nextSeq, attrs: attrs}
	s.nextSeq++
	e.set("distinguishedName", []string{dn})
	s.bumpLocked(e, when)
	s.entries = append(s.entries, e)
	s.byDN[dnKey(dn)] = e
}

// lookup returns a copy of the entry at dn, or nil.
func (s *store) lookup(dn string) *entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e := s.byDN[dnKey(dn)]; e != nil {
		return e.clone()
	}
	return nil
}

// find returns a copy of the first entry for which match is true, or nil.
func (s *store) find(match func(*entry) bool) *entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, e := range s.entries {
		if match(e) {
			return e.clone()
		}
	}
	return nil
}

// highestUSN returns the directory's highestCommittedUSN.
func (s *store) highestUSN() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.usn
}

// update applies fn to a copy of the entry at dn and commits the copy only
// when fn succeeds, so a failing modify changes nothing.
func (s *store) update(dn string, fn func(*entry) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.byDN[dnKey(dn)]
	if cur == nil {
		return fmt.Errorf("demodir: modify %q: %w", dn, ErrNoSuchObject)
	}
	next := cur.clone()
	if err := fn(next); err != nil {
		return err
	}
	s.bumpLocked(next, time.Now())
	*cur = *next
	return nil
}

// remove deletes a leaf entry and, as Active Directory does for linked
// attributes, drops its DN from every member and memberOf value.
func (s *store) remove(dn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := dnKey(dn)
	cur := s.byDN[key]
	if cur == nil {
		return fmt.Errorf("demodir: delete %q: %w", dn, ErrNoSuchObject)
	}
	for _, e := range s.entries {
		if len(e.rdns) == len(cur.rdns)+1 && slices.Equal(e.rdns[1:], cur.rdns) {
			return fmt.Errorf("demodir: delete %q: %w", dn, ErrNotAllowedOnNonLeaf)
		}
	}
	delete(s.byDN, key)
	now := time.Now()
	// As Active Directory does, the object becomes a tombstone under
	// CN=Deleted Objects that keeps its objectGUID and gets a new USN, so an
	// incremental reader (Show Deleted, uSNChanged) learns of the deletion.
	guid := cur.get("objectGUID")
	cn := strings.ReplaceAll(firstOr(cur.get("cn"), "deleted"), ",", "\\,")
	tomb := "CN=" + cn + "\\0ADEL:" + fmt.Sprintf("%x", firstOr(guid, "")) + ",CN=Deleted Objects," + BaseDN
	cur.dn, cur.rdns, cur.deleted = tomb, normalizeDN(tomb), true
	cur.attrs = attrs("objectClass", cur.get("objectClass"), "objectGUID", guid, "isDeleted", "TRUE", "distinguishedName", tomb)
	s.bumpLocked(cur, now)
	for _, e := range s.entries {
		for _, link := range []string{"member", "memberOf"} {
			vals := e.get(link)
			kept := slices.DeleteFunc(slices.Clone(vals), func(v string) bool { return dnKey(v) == key })
			if len(kept) != len(vals) {
				e.set(link, kept)
				s.bumpLocked(e, now)
			}
		}
	}
	return nil
}

// count returns how many entries satisfy match.
func (s *store) count(match func(*entry) bool) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, e := range s.entries {
		if !e.deleted && match(e) {
			n++
		}
	}
	return n
}

// inScope reports whether the entry lies in the search scope of base.
func (e *entry) inScope(base []string, scope int) bool {
	under := len(e.rdns) >= len(base) && slices.Equal(e.rdns[len(e.rdns)-len(base):], base)
	return ldapfilter.InScope(scope, under, len(e.rdns)-len(base))
}

func firstOr(vals []string, def string) string {
	if len(vals) > 0 {
		return vals[0]
	}
	return def
}
