package scim

import "strings"

// schemaDoc renders a schema for the /Schemas endpoint (RFC 7643,
// section 7).
func schemaDoc(s Schema, base string) map[string]any {
	return map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  attrDocs(s.Attrs),
		"meta":        map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + s.ID},
	}
}

func attrDocs(attrs []Attr) []any {
	out := make([]any, 0, len(attrs))
	for _, a := range attrs {
		d := map[string]any{
			"name":        a.Name,
			"type":        a.Type,
			"multiValued": a.Multi,
			"description": a.Name,
			"required":    a.Required,
			"caseExact":   a.CaseExact,
			"mutability":  orDefault(a.Mutability, "readWrite"),
			"returned":    orDefault(a.Returned, "default"),
			"uniqueness":  orDefault(a.Uniqueness, "none"),
		}
		if len(a.Sub) > 0 {
			d["subAttributes"] = attrDocs(a.Sub)
		}
		if a.Type == typeReference {
			d["referenceTypes"] = []string{"external"}
		}
		out = append(out, d)
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func allSchemas() []Schema { return []Schema{UserSchema, GroupSchema, EnterpriseSchema} }

func findSchema(id string) (Schema, bool) {
	for _, s := range allSchemas() {
		if strings.EqualFold(s.ID, id) {
			return s, true
		}
	}
	return Schema{}, false
}

// resourceTypeDocs are the /ResourceTypes of RFC 7643, section 6.
func resourceTypeDocs(base string) []map[string]any {
	return []map[string]any{
		{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "User", "name": "User",
			"endpoint": "/Users", "description": "User Account", "schema": UserURN,
			"schemaExtensions": []any{map[string]any{"schema": EnterpriseURN, "required": false}},
			"meta":             map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/User"},
		},
		{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "Group", "name": "Group",
			"endpoint": "/Groups", "description": "Group", "schema": GroupURN, "schemaExtensions": []any{},
			"meta": map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/Group"},
		},
	}
}

// serviceProviderConfig is RFC 7643's section 5: PATCH and filters are
// supported, bulk, sort and password change are not, and the one
// authentication scheme is a bearer token.
func serviceProviderConfig(base string) map[string]any {
	return map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://github.com/usersync/usersync#scim",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": MaxResults},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": false},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "A token made with `usersync scim token create`, sent as Authorization: Bearer TOKEN",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": base + "/ServiceProviderConfig"},
	}
}
