package samba

import (
	"context"
	"encoding/binary"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// DenyWriteProperty adds an ACE to dn's security descriptor that denies
// trusteeDN (a user, the Administrator included: AD checks its ACEs too)
// writing any property of dn, so that a test can make one entry refuse
// writes with insufficientAccessRights (50) while others accept them.
// It runs "samba-tool dsacl set" on the DC's sam.ldb, which the running
// DC honours at once.
func (dc *DC) DenyWriteProperty(t testing.TB, dn, trusteeDN string) {
	t.Helper()
	dc.setACE(t, dn, trusteeDN, "deny", "(OD;;WP;;;%s)")
}

// formatSID renders a binary SID as S-1-5-21-....
func formatSID(b []byte) (string, error) {
	if len(b) < 8 || len(b) != 8+4*int(b[1]) {
		return "", fmt.Errorf("malformed SID of %d bytes", len(b))
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	parts := []string{"S", strconv.Itoa(int(b[0])), strconv.FormatUint(auth, 10)}
	for i := 0; i < int(b[1]); i++ {
		parts = append(parts, strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return strings.Join(parts, "-"), nil
}

// IsSingleValued reads the schema's isSingleValued for the attribute with
// the LDAP display name attr; it fails the test when the schema has no
// such attribute.
func (dc *DC) IsSingleValued(t testing.TB, attr string) bool {
	t.Helper()
	var single string
	err := dc.withConn(context.Background(), func(c *ldap.Conn) error {
		res, err := c.Search(ldap.NewSearchRequest("CN=Schema,CN=Configuration,"+dc.BaseDN, ldap.ScopeSingleLevel,
			ldap.NeverDerefAliases, 0, 0, false, "(lDAPDisplayName="+ldap.EscapeFilter(attr)+")", []string{"isSingleValued"}, nil))
		if err != nil {
			return err
		}
		if len(res.Entries) != 1 {
			return fmt.Errorf("the schema has no attribute %q", attr)
		}
		single = res.Entries[0].GetAttributeValue("isSingleValued")
		return nil
	})
	if err != nil {
		t.Fatalf("samba: schema of %s: %v", attr, err)
	}
	return single == "TRUE"
}

// AllowWriteAttribute adds an ACE to dn's security descriptor that lets
// trusteeDN write the one attribute whose schemaIDGUID is attrGUID (such
// as altSecurityIdentities' 00fbf30c-91fe-11d1-aebc-0000f80367c1), so that
// a test can give an ordinary account exactly one write right.
func (dc *DC) AllowWriteAttribute(t testing.TB, dn, trusteeDN, attrGUID string) {
	t.Helper()
	dc.setACE(t, dn, trusteeDN, "allow", "(OA;;WP;"+attrGUID+";;%s)")
}

// setACE runs "samba-tool dsacl set" on the DC's sam.ldb with the ACE
// sddl, whose %s is replaced by trusteeDN's SID.
func (dc *DC) setACE(t testing.TB, dn, trusteeDN, action, sddl string) {
	t.Helper()
	e := dc.Get(t, trusteeDN, "objectSid")
	sid, err := formatSID(e.GetRawAttributeValue("objectSid"))
	if err != nil {
		t.Fatalf("samba: objectSid of %s: %v", trusteeDN, err)
	}
	tool, err := lookBin("samba-tool")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, tool, "dsacl", "set",
		"-H", "tdb://"+filepath.Join(dc.Dir, "private", "sam.ldb"),
		"--objectdn="+dn, "--action="+action, "--sddl="+fmt.Sprintf(sddl, sid)).CombinedOutput()
	if err != nil {
		t.Fatalf("samba: %s %s on %s: %v\n%s", action, fmt.Sprintf(sddl, sid), dn, err, out)
	}
}
