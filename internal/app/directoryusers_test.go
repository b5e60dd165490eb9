package app

import "testing"

// TestDirectoryUserFilterEscapesOnce checks that the search text is escaped
// exactly once and AND-ed with the connection's filter.
func TestDirectoryUserFilterEscapesOnce(t *testing.T) {
	got := DirectoryUserFilter("(objectClass=user)", `*()\`)
	v := `\2a\28\29\5c`
	want := "(&(objectClass=user)(|(cn=*" + v + "*)(displayName=*" + v + "*)(uid=*" + v + "*)(sAMAccountName=*" + v + "*)(userPrincipalName=*" + v + "*)(mail=*" + v + "*)))"
	if got != want {
		t.Fatalf("filter\n got %s\nwant %s", got, want)
	}
}
