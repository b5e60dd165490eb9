package mapping

import "testing"

// BenchmarkMapBaseline is the per-entry cost of the hot path: what an
// unchanged entry pays besides hashing.
func BenchmarkMapBaseline(b *testing.B) {
	m := MustCompile(InetOrgPerson())
	e := entry("uid=user000001,ou=people,dc=example,dc=com", "uid", "user000001", "cn", "Given1 Family1", "sn", "Family1",
		"givenName", "Given1", "displayName", "Given1 Family1", "mail", "user000001@example.com",
		"telephoneNumber", "+1 555 0000001", "title", "Title 1", "ou", "Engineering", "l", "City1", "employeeNumber", "1")
	var r Result
	b.ReportAllocs()
	for b.Loop() {
		m.Map(e, &r)
	}
}
