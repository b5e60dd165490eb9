package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/directory"
)

// odataString quotes s as an OData string literal: single quotes are
// doubled, the one escape OData strings have; the URL encoding that
// follows is the query's, not the value's.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// FindUsers lists users whose displayName, userPrincipalName or mail
// starts with q (GET /users with $filter startswith, which Graph supports
// on these properties without advanced queries), as a full read would read
// them: guests and users the connection's filter rejects are left out. It
// returns at most max users and whether more matched.
func (r *Reader) FindUsers(ctx context.Context, q string, attrs []string, max int) ([]*directory.Entry, bool, error) {
	v := odataString(q)
	filter := "startswith(displayName," + v + ") or startswith(userPrincipalName," + v + ") or startswith(mail," + v + ")"
	link := r.cfg.GraphURL + "/v1.0/users?$filter=" + url.QueryEscape(filter) + "&$select=" + url.QueryEscape(selectFor(attrs)) +
		"&$top=" + strconv.Itoa(max+1)
	var out []*directory.Entry
	for link != "" {
		var p page
		if err := r.get(ctx, link, &p); err != nil {
			return nil, false, err
		}
		for _, raw := range p.Value {
			o, err := decode(raw)
			if err != nil {
				return nil, false, err
			}
			if !r.wanted(o.entry) {
				continue
			}
			if len(out) == max {
				return out, true, nil
			}
			out = append(out, o.entry)
		}
		link = p.NextLink
		if link != "" && !sameOrigin(link, r.cfg.GraphURL) {
			return out, false, nil
		}
	}
	return out, false, nil
}

// User reads one user by object id as a run would read it; ok is false when
// there is no such user or a full read would leave it out (a guest, or one
// the connection's filter rejects).
func (r *Reader) User(ctx context.Context, id string, attrs []string) (*directory.Entry, bool, error) {
	var raw json.RawMessage
	err := r.get(ctx, r.cfg.GraphURL+"/v1.0/users/"+url.PathEscape(id)+"?$select="+url.QueryEscape(selectFor(attrs)), &raw)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	o, err := decode(raw)
	if err != nil {
		return nil, false, err
	}
	if wantsManager(attrs) {
		if r.upns == nil {
			r.upns = map[string]string{}
		}
		if err := r.resolveManager(ctx, o, true); err != nil {
			return nil, false, err
		}
	}
	return o.entry, r.wanted(o.entry), nil
}

// Wanted says whether a full read would read the user: guests only when
// the connection includes them, and only users its filter accepts.
func (r *Reader) Wanted(e *directory.Entry) bool { return r.wanted(e) }

// Lookup finds one user whatever the connection's filter says, by object
// id or userPrincipalName (user-get: /users/{id | userPrincipalName}) or
// else by mail, for explaining why a user is or is not synced. It returns
// nil when no user matches.
func (r *Reader) Lookup(ctx context.Context, who string, attrs []string) (*directory.Entry, error) {
	if strings.TrimSpace(who) == "" {
		return nil, nil
	}
	if IsObjectID(who) || strings.Contains(who, "@") {
		e, _, err := r.User(ctx, who, attrs)
		if err != nil || e != nil {
			return e, err
		}
	}
	var p page
	link := r.cfg.GraphURL + "/v1.0/users?$select=id&$top=2&$filter=" + url.QueryEscape("mail eq "+odataString(who))
	if err := r.get(ctx, link, &p); err != nil {
		return nil, err
	}
	if len(p.Value) == 0 {
		return nil, nil
	}
	o, err := decode(p.Value[0])
	if err != nil {
		return nil, err
	}
	e, _, err := r.User(ctx, o.id, attrs)
	return e, err
}
