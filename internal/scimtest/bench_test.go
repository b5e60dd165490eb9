package scimtest

import (
	"fmt"
	"testing"
)

// BenchmarkPatchWithUsers measures one attribute PATCH on a connection
// that already holds 1,000 users, through serve's handler
// on SQLite: what a request costs as the connection grows.
func BenchmarkPatchWithUsers(b *testing.B) {
	s := Start(b, "", Options{})
	var id string
	for i := range 1000 {
		r := s.Do("POST", "/Users", createBody(fmt.Sprintf("u%d@example.com", i), "m@example.com"))
		if r.Status != 201 {
			b.Fatalf("%d %s", r.Status, r.Raw)
		}
		id = r.JSON["id"].(string)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := s.Do("PATCH", "/Users/"+id, fmt.Sprintf(`{"Operations":[{"op":"replace","path":"title","value":"t%d"}]}`, i))
		if r.Status != 200 {
			b.Fatalf("%d %s", r.Status, r.Raw)
		}
	}
}
