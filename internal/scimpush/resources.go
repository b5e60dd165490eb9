package scimpush

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// Schema URNs of RFC 7643 and RFC 7644 that a push sends.
const (
	SchemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// Resource is a SCIM resource as JSON decodes it.
type Resource map[string]any

// ID is the resource's id on the target.
func (r Resource) ID() string { s, _ := r["id"].(string); return s }

// Op is one PATCH operation (RFC 7644 section 3.5.2).
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

type patchBody struct {
	Schemas    []string `json:"schemas"`
	Operations []Op     `json:"Operations"`
}

type listResponse struct {
	TotalResults int        `json:"totalResults"`
	ItemsPerPage int        `json:"itemsPerPage"`
	StartIndex   int        `json:"startIndex"`
	Resources    []Resource `json:"Resources"`
}

// ProviderConfig is what a push needs from /ServiceProviderConfig.
type ProviderConfig struct {
	Patch  bool `json:"-"`
	Filter bool `json:"-"`
}

// ServiceProviderConfig reads the target's /ServiceProviderConfig (RFC
// 7644 section 4): whether it supports PATCH and filtering.
func (c *Client) ServiceProviderConfig(ctx context.Context) (ProviderConfig, error) {
	var doc struct {
		Patch  struct{ Supported bool } `json:"patch"`
		Filter struct{ Supported bool } `json:"filter"`
	}
	if err := c.Do(ctx, "GET", "/ServiceProviderConfig", nil, &doc); err != nil {
		return ProviderConfig{}, err
	}
	return ProviderConfig{Patch: doc.Patch.Supported, Filter: doc.Filter.Supported}, nil
}

// Find returns the resources of an endpoint ("/Users", "/Groups") whose
// attribute equals value, by a filtered GET.
func (c *Client) Find(ctx context.Context, endpoint, attr, value string) ([]Resource, error) {
	return c.FindFilter(ctx, endpoint, attr+" eq "+escapeFilterValue(value))
}

// FindFilter returns the resources of an endpoint that pass a SCIM filter.
func (c *Client) FindFilter(ctx context.Context, endpoint, filter string) ([]Resource, error) {
	var lr listResponse
	if err := c.Do(ctx, "GET", endpoint+"?filter="+url.QueryEscape(filter), nil, &lr); err != nil {
		return nil, err
	}
	return lr.Resources, nil
}

// Create POSTs a resource and returns what the target stored.
func (c *Client) Create(ctx context.Context, endpoint string, r Resource) (Resource, error) {
	var out Resource
	if err := c.Do(ctx, "POST", endpoint, r, &out); err != nil {
		return nil, err
	}
	if out.ID() == "" {
		return nil, fmt.Errorf("scim target: POST %s: the answer has no id", endpoint)
	}
	return out, nil
}

// Patch sends ops to one resource.
func (c *Client) Patch(ctx context.Context, endpoint, id string, ops []Op) error {
	return c.Do(ctx, "PATCH", endpoint+"/"+url.PathEscape(id), patchBody{Schemas: []string{schemaPatch}, Operations: ops}, nil)
}

// Delete removes one resource.
func (c *Client) Delete(ctx context.Context, endpoint, id string) error {
	return c.Do(ctx, "DELETE", endpoint+"/"+url.PathEscape(id), nil, nil)
}

// Count returns an endpoint's totalResults, asking for no resources
// (RFC 7644 section 3.4.2.4: count=0 returns only the total).
func (c *Client) Count(ctx context.Context, endpoint string) (int, error) {
	var lr listResponse
	if err := c.Do(ctx, "GET", endpoint+"?count=0", nil, &lr); err != nil {
		return 0, err
	}
	return lr.TotalResults, nil
}

// Each calls fn for every resource of an endpoint, a page at a time.
func (c *Client) Each(ctx context.Context, endpoint string, fn func(Resource) error) error {
	const count = 100
	for start := 1; ; {
		var lr listResponse
		if err := c.Do(ctx, "GET", endpoint+"?startIndex="+strconv.Itoa(start)+"&count="+strconv.Itoa(count), nil, &lr); err != nil {
			return err
		}
		for _, r := range lr.Resources {
			if err := fn(r); err != nil {
				return err
			}
		}
		start += len(lr.Resources)
		if len(lr.Resources) == 0 || start > lr.TotalResults {
			return nil
		}
	}
}
