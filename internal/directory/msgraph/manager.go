package msgraph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// wantsManager says whether a query maps the manager: only then is it
// selected and resolved, since resolving can cost a request per manager.
func wantsManager(attrs []string) bool {
	for _, a := range attrs {
		if strings.EqualFold(a, "manager") {
			return true
		}
	}
	return false
}

// remember notes a user's userPrincipalName, so that the users it manages
// get it as their manager without another request.
func (r *Reader) remember(o object) {
	if r.upns == nil {
		r.upns = map[string]string{}
	}
	if upn := o.entry.Get("userPrincipalName"); upn != "" {
		r.upns[o.id] = upn
	}
}

// resolveManager sets the entry's manager attribute to its manager's
// userPrincipalName, the user ID usersync gives the manager. A manager not
// read yet is asked for by id; in an incremental read, a user whose object
// did not say (its manager did not change) is asked for its manager.
func (r *Reader) resolveManager(ctx context.Context, o object, incremental bool) error {
	id := o.managerID
	if !o.managerKnown {
		if !incremental {
			return nil // a full read lists every manager: this user has none
		}
		var m struct {
			ID  string `json:"id"`
			UPN string `json:"userPrincipalName"`
		}
		err := r.get(ctx, r.cfg.GraphURL+"/v1.0/users/"+url.PathEscape(o.id)+"/manager?$select=id,userPrincipalName", &m)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		id = m.ID
		if m.UPN != "" {
			r.upns[m.ID] = m.UPN
		}
	}
	if id == "" {
		return nil
	}
	upn, ok := r.upns[id]
	if !ok {
		var m struct {
			UPN string `json:"userPrincipalName"`
		}
		err := r.get(ctx, r.cfg.GraphURL+"/v1.0/users/"+url.PathEscape(id)+"?$select=userPrincipalName", &m)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil // a manager deleted meanwhile: no manager
		}
		if err != nil {
			return err
		}
		upn = m.UPN
		r.upns[id] = upn
	}
	if upn != "" {
		o.entry.Attrs["manager"] = []string{upn}
	}
	return nil
}
