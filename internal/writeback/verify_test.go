package writeback

import (
	"errors"
	"testing"

	"github.com/usersync/usersync/internal/directory"
)

func TestVerify(t *testing.T) {
	add := directory.Modification{Op: directory.ModAdd, Attribute: "proxyAddresses", Values: []string{"smtp:a@b"}}
	del := directory.Modification{Op: directory.ModDelete, Attribute: "altSecurityIdentities", Values: []string{"X509:<SKI>01"}}
	rep := directory.Modification{Op: directory.ModReplace, Attribute: "mail", Values: []string{"a@b"}}
	tests := []struct {
		name string
		ch   directory.Modification
		read []string
		ok   bool
	}{
		{"add present among others", add, []string{"X500:x", "smtp:a@b"}, true},
		{"add missing", add, []string{"X500:x"}, false},
		{"add in another case is not what was written", add, []string{"SMTP:A@B"}, false},
		{"delete gone, others kept", del, []string{"X509:<SKI>02"}, true},
		{"delete still there", del, []string{"X509:<SKI>01"}, false},
		{"replace", rep, []string{"a@b"}, true},
		{"replace left an old value", rep, []string{"a@b", "old@b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verify(tt.ch, tt.read)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNotVerified)) {
				t.Fatalf("verify = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
