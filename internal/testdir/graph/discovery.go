package graph

import (
	"encoding/json"
	"net/http"
)

// handleOpenIDConfig serves /{tenant}/v2.0/.well-known/openid-configuration,
// the metadata document MSAL reads to find the token endpoint of an
// authority (entra-docs identity-platform/v2-protocols-oidc.md: the
// document names issuer, authorization_endpoint and token_endpoint among
// others). The issuer names the tenant as this server's authority does, so
// that MSAL's issuer check accepts it.
func (s *Server) handleOpenIDConfig(w http.ResponseWriter, r *http.Request, tenant string) {
	if !s.knownTenant(tenant) && tenant != "common" && tenant != "organizations" {
		writeSTS(w, newSTSError(http.StatusBadRequest, "invalid_tenant", 90002, "Tenant '"+tenant+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."))
		return
	}
	base := s.baseURL()
	t := tenant
	if t == "common" || t == "organizations" {
		t = s.tenantID
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                base + "/" + t + "/v2.0",
		"authorization_endpoint":                base + "/" + tenant + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/" + tenant + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         base + "/" + tenant + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/" + tenant + "/oauth2/v2.0/logout",
		"jwks_uri":                              base + "/" + tenant + "/discovery/v2.0/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
	})
}

// handleInstanceDiscovery serves /common/discovery/instance, which MSAL
// asks about an authority host it does not know unless instance discovery
// is turned off: the answer lists the host itself as its only alias.
func (s *Server) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	base := s.baseURL()
	host := r.Host
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"tenant_discovery_endpoint": base + "/" + s.tenantID + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	})
}
