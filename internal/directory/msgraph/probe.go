package msgraph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Probe asks Graph for one object of a collection ("users", "groups"),
// which needs the permission to read it: nil, an *APIError (403 when the
// permission is missing), or an error wrapping ErrUnreachable.
func (r *Reader) Probe(ctx context.Context, collection string) error {
	var p page
	return r.get(ctx, r.cfg.GraphURL+"/v1.0/"+collection+"?$top=1&$select=id", &p)
}

// CountUsers asks Graph how many users the tenant has (an advanced query,
// which needs the ConsistencyLevel header); ok is false when Graph does
// not say.
func (r *Reader) CountUsers(ctx context.Context) (n int, ok bool) {
	tok, err := r.token(ctx)
	if err != nil {
		return 0, false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.cfg.GraphURL+"/v1.0/users/$count", nil)
	if err != nil {
		return 0, false
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("ConsistencyLevel", "eventual")
	resp, err := r.http().Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	n, err = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff")))
	return n, resp.StatusCode == http.StatusOK && err == nil
}

// Roles reads the application permissions from an access token's roles
// claim. The token is only read, never trusted for anything: Graph checks
// it on every request. ok is false when the token is not a readable JWT.
func Roles(accessToken string) (roles []string, ok bool) {
	parts := strings.Split(accessToken, ".")
	if len(parts) != 3 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var claims struct {
		Roles []string `json:"roles"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, false
	}
	return claims.Roles, true
}

// Token returns an access token as the reader's requests use it.
func (r *Reader) Token(ctx context.Context) (string, error) {
	tok, err := r.cfg.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("graph: %w", err)
	}
	return tok, nil
}

// Changed says whether anything changed since a token TokenAfterRead
// returned, by asking for the first page of each of its delta links. A
// delta link may be asked again and again until it is used by a run, so
// this reads nothing away. An unusable token counts as a change: the run
// that follows reads in full and says why.
func (r *Reader) Changed(ctx context.Context, since string) (bool, error) {
	var tok token
	if err := json.Unmarshal([]byte(since), &tok); err != nil || tok.Users == "" {
		return true, nil
	}
	for _, link := range []string{tok.Users, tok.Groups} {
		if link == "" {
			continue
		}
		if !sameOrigin(link, r.cfg.GraphURL) {
			return true, nil
		}
		var p page
		err := r.get(ctx, link, &p)
		var ae *APIError
		switch {
		case errors.As(err, &ae) && ae.tokenExpired():
			return true, nil
		case err != nil:
			return false, err
		case len(p.Value) > 0 || p.NextLink != "":
			return true, nil
		}
	}
	return false, nil
}
