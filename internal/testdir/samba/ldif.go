package samba

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"sort"
)

// writeLDIF writes the add requests of specs as an LDIF file for ldbadd.
func writeLDIF(path string, specs []UserSpec) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("samba: ldif: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, u := range specs {
		req := u.addRequest()
		writeLine(w, "dn", req.DN)
		attrs := req.Attributes
		sort.SliceStable(attrs, func(i, j int) bool { return attrs[i].Type == "objectClass" && attrs[j].Type != "objectClass" })
		for _, a := range attrs {
			for _, v := range a.Vals {
				writeLine(w, a.Type, v)
			}
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("samba: ldif: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("samba: ldif: %w", err)
	}
	return nil
}

// writeLine writes "attr: value", or "attr:: base64" when the value is not
// a safe LDIF string (RFC 2849).
func writeLine(w *bufio.Writer, attr, value string) {
	if safeLDIF(value) {
		fmt.Fprintf(w, "%s: %s\n", attr, value)
		return
	}
	fmt.Fprintf(w, "%s:: %s\n", attr, base64.StdEncoding.EncodeToString([]byte(value)))
}

func safeLDIF(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[0] == ':' || s[0] == '<' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
