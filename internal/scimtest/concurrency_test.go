package scimtest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/web"
)

// TestConcurrentMemberPatches: Entra sends member PATCHes of one group in
// parallel, here to two usersync instances sharing one PostgreSQL store.
// Every member added must be there at the end: a PATCH reads and writes
// its group with no other write in between, in one process by its lock,
// across processes by the connection's lease (a held lease is a 429 the
// client retries).
func TestConcurrentMemberPatches(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		url := db(t)
		s := Start(t, url, Options{})
		urls := []string{s.URL}
		if url != "" {
			other := apptest.Open(t, url, nil)
			w, err := web.New(context.Background(), other, web.Options{})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(w)
			t.Cleanup(srv.Close)
			urls = append(urls, srv.URL+"/scim/v2/entra")
		}
		g := s.Do("POST", "/Groups", `{"displayName":"Parallel"}`)
		mustStatus(t, g, 201)
		gid := g.JSON["id"].(string)
		const n = 24
		var wg sync.WaitGroup
		errs := make(chan string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"Operations":[{"op":"Add","path":"members","value":[{"value":"m%d"}]}]}`, i)
				for try := 0; try < 50; try++ {
					r := s.doAt(urls[i%len(urls)], "PATCH", "/Groups/"+gid, body)
					if r.Status == 204 {
						return
					}
					if r.Status != 429 {
						errs <- fmt.Sprintf("member %d: %d %s", i, r.Status, r.Raw)
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				errs <- fmt.Sprintf("member %d: still 429 after 50 tries", i)
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		got := s.Do("GET", "/Groups/"+gid, "")
		if m, _ := got.JSON["members"].([]any); len(m) != n {
			t.Fatalf("%d members, want %d: %s", len(m), n, got.Raw)
		}
	})
}
