package slapd

import (
	"bufio"
	"fmt"
	"io"
)

// Departments used by generated users, in rotation.
var Departments = []string{"Sales", "Engineering", "Finance", "Support", "Marketing"}

// UID is the uid of generated user i (1-based): user000001.
func UID(i int) string { return fmt.Sprintf("user%06d", i) }

// UserDN is the DN of generated user i.
func UserDN(i int) string { return "uid=" + UID(i) + "," + PeopleDN }

// GroupName is the cn of generated group g (1-based).
func GroupName(g int) string { return fmt.Sprintf("group%03d", g) }

// WriteUsers writes n inetOrgPerson users and, when groups > 0, that many
// groupOfNames groups with the users spread over them round-robin. The data
// is deterministic so that tests can predict every value.
func WriteUsers(w io.Writer, n, groups int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for i := 1; i <= n; i++ {
		uid := UID(i)
		fmt.Fprintf(bw, "dn: %s\nobjectClass: inetOrgPerson\nuid: %s\ncn: Given%d Family%d\nsn: Family%d\ngivenName: Given%d\n"+
			"displayName: Given%d Family%d\nmail: %s@example.com\ntelephoneNumber: +1 555 %07d\ntitle: Title %d\n"+
			"ou: %s\nl: City%d\nemployeeNumber: %d\n\n",
			UserDN(i), uid, i, i, i, i, i, i, uid, i, i%7, Departments[i%len(Departments)], i%13, i)
	}
	for g := 1; g <= groups; g++ {
		fmt.Fprintf(bw, "dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\n", GroupName(g), GroupsDN, GroupName(g))
		members := 0
		for i := g; i <= n; i += groups {
			fmt.Fprintf(bw, "member: %s\n", UserDN(i))
			members++
		}
		if members == 0 {
			// groupOfNames requires a member; point an empty group at itself's container.
			fmt.Fprintf(bw, "member: %s\n", PeopleDN)
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}
