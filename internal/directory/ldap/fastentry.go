package ldap

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/usersync/usersync/internal/directory"
)

// entryDecoder turns SearchResultEntry contents into directory.Entry values
// with a handful of allocations per entry (see ber.go for why). It is not
// safe for concurrent use; one search owns one decoder.
type entryDecoder struct {
	// names maps attribute descriptions as sent to their lower-cased form,
	// so that the few names of a search are converted once, not per entry.
	names map[string]string
	// Scratch reused from entry to entry.
	attrs  []attrSpan
	ends   []int
	binary []string
}

// attrSpan is one attribute of the entry being decoded: its name and the
// index of its first value.
type attrSpan struct {
	name  string
	first int
}

func newEntryDecoder() *entryDecoder {
	return &entryDecoder{names: make(map[string]string)}
}

// maxInternedNames bounds the name cache against a server that sends
// endless distinct attribute names.
const maxInternedNames = 1024

func (d *entryDecoder) name(raw []byte) string {
	if s, ok := d.names[string(raw)]; ok { // no allocation for the lookup
		return s
	}
	s := strings.ToLower(string(raw))
	if len(d.names) < maxInternedNames {
		d.names[string(raw)] = s
	}
	return s
}

// decode validates the whole entry first, counting what it holds, then
// copies the DN and every value into one string and slices it: an entry
// costs one string, one []string and one map however many values it has.
func (d *entryDecoder) decode(body []byte) (*directory.Entry, error) {
	dn, attrs, err := expect(body, tagOctetString, "objectName")
	if err != nil {
		return nil, err
	}
	list, rest, err := expect(attrs, tagSequence, "attributes")
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes in entry", errBER, len(rest))
	}
	nAttrs, nVals, size := 0, 0, len(dn)
	for b := list; len(b) > 0; {
		var attr, vals []byte
		if attr, b, err = expect(b, tagSequence, "attribute"); err != nil {
			return nil, err
		}
		if _, vals, err = expect(attr, tagOctetString, "attribute type"); err != nil {
			return nil, err
		}
		set, rest, err := expect(vals, tagSet, "attribute values")
		if err != nil {
			return nil, err
		}
		if len(rest) > 0 {
			return nil, fmt.Errorf("%w: trailing bytes after attribute values", errBER)
		}
		for len(set) > 0 {
			var v []byte
			if v, set, err = expect(set, tagOctetString, "attribute value"); err != nil {
				return nil, err
			}
			nVals++
			size += len(v)
		}
		nAttrs++
	}
	// Second walk (the structure was checked, so it cannot fail): copy the
	// DN and the values into blob, remembering where each value ends.
	blob := make([]byte, 0, size)
	blob = append(blob, dn...)
	d.attrs, d.ends = d.attrs[:0], d.ends[:0]
	for b := list; len(b) > 0; {
		attr, next, _ := expect(b, tagSequence, "attribute")
		b = next
		typ, vals, _ := expect(attr, tagOctetString, "attribute type")
		set, _, _ := expect(vals, tagSet, "attribute values")
		a := attrSpan{name: d.name(typ), first: len(d.ends)}
		for len(set) > 0 {
			v, next, _ := expect(set, tagOctetString, "attribute value")
			set = next
			switch a.name {
			case "objectguid":
				d.binary = append(d.binary, FormatGUID(v))
				d.ends = append(d.ends, -len(d.binary))
			case "objectsid":
				d.binary = append(d.binary, FormatSID(v))
				d.ends = append(d.ends, -len(d.binary))
			default:
				blob = append(blob, v...)
				d.ends = append(d.ends, len(blob))
			}
		}
		d.attrs = append(d.attrs, a)
	}
	// blob is complete and never written again: the string shares its
	// bytes, as strings.Builder does, instead of copying them once more.
	var all string
	if len(blob) > 0 {
		all = unsafe.String(&blob[0], len(blob))
	}
	e := &directory.Entry{DN: all[:len(dn)], Attrs: make(map[string][]string, nAttrs)}
	values := make([]string, nVals)
	off := len(dn)
	for i, end := range d.ends {
		if end < 0 { // a binary identifier, already formatted
			values[i] = d.binary[-end-1]
			continue
		}
		values[i] = all[off:end]
		off = end
	}
	for i, a := range d.attrs {
		last := len(d.ends)
		if i+1 < len(d.attrs) {
			last = d.attrs[i+1].first
		}
		e.Attrs[a.name] = values[a.first:last:last]
	}
	clear(d.binary)
	d.binary = d.binary[:0]
	return e, nil
}
