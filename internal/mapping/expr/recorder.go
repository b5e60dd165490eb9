package expr

import "strings"

// Read is one attribute an evaluation read and the values it found.
type Read struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Recorder is an Attributes that records every attribute an evaluation
// reads, once each (names compared case-insensitively) and in the order of
// first reading, so that a tool testing an expression against a real entry
// can show what it read. Attributes that are never reached, such as those in
// an IIF branch not taken, are not recorded.
type Recorder struct {
	Attrs Attributes
	Reads []Read
}

// Values returns the values of the attribute called name and records them.
func (r *Recorder) Values(name string) []string {
	var vals []string
	if r.Attrs != nil {
		vals = r.Attrs.Values(name)
	}
	for _, rd := range r.Reads {
		if strings.EqualFold(rd.Name, name) {
			return vals
		}
	}
	r.Reads = append(r.Reads, Read{Name: name, Values: append([]string{}, vals...)})
	return vals
}
