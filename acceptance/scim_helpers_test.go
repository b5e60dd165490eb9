package acceptance

import (
	"encoding/json"
	"net/http"
)

// scimConnection creates a SCIM connection with extra document fields
// (nil for none), as an administrator does before registering usersync in
// Entra ID or Okta.
func (a *admin) scimConnection(name string, extra map[string]any) {
	a.t.Helper()
	doc := map[string]any{"name": name, "systemType": "scim"}
	for k, v := range extra {
		doc[k] = v
	}
	a.apply(doc)
}

// scimToken creates a bearer token for a SCIM connection through the API
// and returns it, the only time it is shown.
func (c *apiClient) scimToken(conn string) string {
	c.t.Helper()
	out := c.must(http.StatusCreated, "POST", "/api/v1/connections/"+conn+"/scim-tokens", `{"name":"acceptance"}`)
	var created struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Token == "" {
		c.t.Fatalf("create a SCIM token for %s: %v: %s", conn, err, out)
	}
	return created.Token
}
