package msgraph

import (
	"context"
	"strings"
	"testing"
)

// directory-deleteditems-list: the deleted users are a paged collection;
// every page is read, and a page that fails fails the whole answer, so
// that a partial list never lets the leave policy delete a restorable user.
func TestSoftDeletedReadsEveryPageOrNothing(t *testing.T) {
	const first = "/v1.0/directory/deletedItems/microsoft.graph.user?$top=999"
	for _, tc := range []struct {
		name    string
		second  answer
		want    string
		wantErr string
	}{
		{"two pages", pageOf(`"x":0`, user("u3", "c@contoso.test")), "u1,u2,u3", ""},
		{"second page fails", answer{status: 503, body: `{"error":{"code":"serviceNotAvailable","message":"down"}}`}, "", "page 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGraph(t)
			f.on(first, pageOf(next("/v1.0/directory/deletedItems/microsoft.graph.user?$skiptoken=2"), user("u1", "a@contoso.test"), user("u2", "b@contoso.test")))
			f.on("/v1.0/directory/deletedItems/microsoft.graph.user?$skiptoken=2", tc.second)
			r := newReader(f, func(c *Config) { c.MaxRetries = -1 })
			got, err := r.SoftDeleted(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
					t.Fatalf("got %v, err %v; want an error naming %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, id := range []string{"u1", "u2", "u3"} {
				if got[id] {
					ids = append(ids, id)
				}
			}
			if strings.Join(ids, ",") != tc.want || len(got) != 3 {
				t.Fatalf("soft-deleted = %v", got)
			}
		})
	}
}
