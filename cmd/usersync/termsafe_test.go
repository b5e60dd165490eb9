package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/testdir/slapd"
)

func TestTermSafe(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Ann Smith", "Ann Smith"},
		{"accents kept", "Zoë Ångström 日本", "Zoë Ångström 日本"},
		{"clear screen", "x\x1b[2Jy", `x\x1b[2Jy`},
		{"retitle", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"osc52 clipboard", "\x1b]52;c;Y3VybCBldmlsCg==\x07", `\x1b]52;c;Y3VybCBldmlsCg==\x07`},
		{"fake row", "a\nb\tc\rd", `a\nb\tc\rd`},
		{"c1 csi", "a\u009b2Jb", `a\u009b2Jb`},
		{"bidi override", "abc\u202etxt.exe", `abc\u202etxt.exe`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"invalid utf8", "a\xffb", `a\xffb`},
		{"del", "a\x7fb", `a\x7fb`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := termSafe(tt.in); got != tt.want {
				t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// A value from the directory cannot add a row or a cell to a table, nor
// send a single escape byte to the terminal.
func TestTableEscapesCells(t *testing.T) {
	var buf bytes.Buffer
	tb := newTable(&buf, "ID", "NAME")
	tb.row(1, "evil\n2\tadmin\x1b]52;c;ZXZpbA==\x07")
	if err := tb.flush(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("output holds raw control bytes: %q", out)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("want a header and one row (2 lines), got %d lines: %q", n, out)
	}
}

// TestListsEscapeDirectoryValues puts terminal escape sequences and a fake
// table row into a real directory entry and checks that `users list` and
// `runs show` print them as visible escapes, never as raw control bytes.
func TestListsEscapeDirectoryValues(t *testing.T) {
	s := slapd.Start(t, 3, 0)
	l := adminConn(t, s)
	hostile := "Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\n99\tcorp\tadmin\u202e"
	m := ldapv3.NewModifyRequest(slapd.UserDN(1), nil)
	m.Replace("displayName", []string{hostile})
	if err := l.Modify(m); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.apply(connDoc(s))
	rep, code := c.sync("corp")
	if code != 0 {
		t.Fatalf("sync: exit %d, %+v", code, rep)
	}
	for _, args := range [][]string{{"users", "list"}, {"runs", "show", fmt.Sprint(rep.ID)}, {"runs", "list"}} {
		out, code := c.run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, out)
		}
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("%v printed raw control characters:\n%q", args, out)
		}
	}
	out, _ := c.run("users", "list")
	if !strings.Contains(out, `Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\n99\tcorp\tadmin\u202e`) {
		t.Errorf("users list does not show the value escaped:\n%s", out)
	}
	// Three users and the header: the newline inside the name adds no row.
	if n := strings.Count(out, "\n"); n != 5 {
		t.Errorf("users list printed %d lines, want 5 (header, 3 users, total):\n%s", n, out)
	}
}
