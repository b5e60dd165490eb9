package acceptance

import (
	"encoding/json"
	"net/http"
)

// scimConnection creates a SCIM connection, as an administrator does before
// registering usersync in Entra ID or Okta.
func (a *admin) scimConnection(name string) {
	a.t.Helper()
	a.apply(map[string]any{"name": name, "systemType": "scim"})
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
