package msgraph

import (
	"context"
	"fmt"
)

// SoftDeleted returns the ids of the users in the tenant's deleted items:
// deleted, yet restorable for 30 days (directory-deleteditems-list). A full
// read does not see them, as it does not see permanently deleted users, so
// the run asks which of the users it missed are only soft-deleted. Every
// page must be read: a partial list would let the leave policy delete a
// restorable user.
func (r *Reader) SoftDeleted(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	link := r.cfg.GraphURL + "/v1.0/directory/deletedItems/microsoft.graph.user?$select=id&$top=999"
	for n := 1; link != ""; n++ {
		var p struct {
			NextLink string `json:"@odata.nextLink"`
			Value    []struct {
				ID string `json:"id"`
			} `json:"value"`
		}
		if err := r.get(ctx, link, &p); err != nil {
			return nil, fmt.Errorf("reading the deleted users (page %d): %w", n, err)
		}
		for _, v := range p.Value {
			if v.ID != "" {
				out[v.ID] = true
			}
		}
		if p.NextLink != "" && !sameOrigin(p.NextLink, r.cfg.GraphURL) {
			return nil, fmt.Errorf("%w: @odata.nextLink points at %s, not at %s: refusing to send the access token there", ErrGraph, redact(p.NextLink), r.cfg.GraphURL)
		}
		link = p.NextLink
	}
	return out, nil
}
