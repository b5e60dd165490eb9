package msgraph

import (
	"context"
	"encoding/base64"
	"encoding/json"
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
	tok, err := r.cfg.Token(ctx)
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
