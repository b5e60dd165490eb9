package graph

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// TestGenerateScale builds the benchmark's tenant (100,000 users, 1,000
// groups, one of 20,000 members) and reads it whole through users/delta
// and groups/delta, reporting the time and the heap it takes.
func TestGenerateScale(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100,000-user tenant")
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := New(t)
	start := time.Now()
	if err := s.Generate(Scale{Users: 100000, Groups: 1000, MembersPerGroup: 50, BigGroupMembers: 20000}); err != nil {
		t.Fatal(err)
	}
	gen := time.Since(start)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("generated 100,000 users and 1,000 groups in %v; the tenant holds %.0f MB of heap", gen.Round(time.Millisecond), float64(heap)/1e6)
	if gen > 20*time.Second {
		t.Errorf("generating took %v", gen)
	}
	tok := token(t, s)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/users/delta?$select=displayName,userPrincipalName,mail,givenName,surname,accountEnabled,manager", 100000},
		{"/groups/delta?$select=displayName,members", 0},
	} {
		start = time.Now()
		n, pages := 0, 0
		members := 0
		u := s.GraphURL() + tc.path
		for u != "" {
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Prefer", "odata.maxpagesize=999")
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
			}
			var page struct {
				Value []struct {
					Members []json.RawMessage `json:"members@delta"`
				} `json:"value"`
				Next  string `json:"@odata.nextLink"`
				Delta string `json:"@odata.deltaLink"`
			}
			if err := json.Unmarshal(b, &page); err != nil {
				t.Fatal(err)
			}
			n += len(page.Value)
			for _, v := range page.Value {
				members += len(v.Members)
			}
			pages++
			u = page.Next
		}
		d := time.Since(start)
		t.Logf("%s: %d objects (%d member entries) in %d pages, %v (%.0f objects/s)", tc.path, n, members, pages, d.Round(time.Millisecond), float64(n)/d.Seconds())
		if tc.want > 0 && n != tc.want {
			t.Errorf("read %d, want %d", n, tc.want)
		}
		if tc.want == 0 && members != 20000+999*50 {
			t.Errorf("member entries %d, want %d", members, 20000+999*50)
		}
	}
}
