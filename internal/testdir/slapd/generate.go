package slapd

import (
	"bufio"
	"crypto/sha256"
	byteorder "encoding/binary"
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
	return writeUsers(w, n, groups, false)
}

// WriteUsersScattered writes what WriteUsers does, with each user's
// entryUUID given as GeneratedUUID(i) instead of left to slapadd. slapadd
// hands out time-based UUIDs whose text rises with every entry it adds, so
// a store's index on external ids fills in order, as it never does for a
// real directory: there users were created over years, and Active
// Directory's objectGUID and Entra's object id are random.
func WriteUsersScattered(w io.Writer, n, groups int) error {
	return writeUsers(w, n, groups, true)
}

// GeneratedUUID is the entryUUID of generated user i under
// WriteUsersScattered: a version 4 UUID derived from i, in no order.
func GeneratedUUID(i int) string {
	var in [8]byte
	byteorder.BigEndian.PutUint64(in[:], uint64(i))
	b := sha256.Sum256(in[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func writeUsers(w io.Writer, n, groups int, scattered bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for i := 1; i <= n; i++ {
		uid := UID(i)
		if scattered {
			fmt.Fprintf(bw, "dn: %s\nentryUUID: %s\n", UserDN(i), GeneratedUUID(i))
		} else {
			fmt.Fprintf(bw, "dn: %s\n", UserDN(i))
		}
		fmt.Fprintf(bw, "objectClass: inetOrgPerson\nuid: %s\ncn: Given%d Family%d\nsn: Family%d\ngivenName: Given%d\n"+
			"displayName: Given%d Family%d\nmail: %s@example.com\ntelephoneNumber: +1 555 %07d\ntitle: Title %d\n"+
			"ou: %s\nl: City%d\nemployeeNumber: %d\n\n",
			uid, i, i, i, i, i, i, uid, i, i%7, Departments[i%len(Departments)], i%13, i)
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
