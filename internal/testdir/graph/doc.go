// Package graph is a local Microsoft Graph for tests, the demo and the
// benchmark: the OAuth 2.0 client-credentials token endpoint of the
// Microsoft identity platform, and the users, groups, members and delta
// endpoints of Graph v1.0, answering in the shapes Microsoft documents. Each
// behaviour names the Microsoft documentation page it follows (paths in the
// microsoft-graph-docs-contrib and entra-docs repositories).
//
// New (or Start) serves a tenant over TLS on 127.0.0.1 with a throwaway CA
// (CAPEM, CertPool, WriteCAFile for SSL_CERT_FILE); NewHandler and Handler
// serve the same behaviours on a listener of the caller's. The sign-in host
// and the Graph base are both URL(): the token endpoint is TokenURL(), Graph
// is GraphURL(), and MSAL finds the token endpoint through
// /{tenant}/v2.0/.well-known/openid-configuration.
//
// A test changes the tenant through PutUser, UpdateUser, DeleteUser (to
// deleted items), RestoreUser, PurgeUser, PutGroup, AddMember, RemoveMember
// and their group counterparts; Generate builds a large tenant. It changes
// the service through AddApp and SetRoles (credentials and permissions),
// RevokeTokens, ExpireDeltaTokens and ResetSync (410 Gone), Throttle,
// ThrottleFor and Unavailable (429 and 503 with Retry-After), FailPage (a
// delta page that fails) and SetQuirks (replays, duplicates, shuffled pages).
// Requests lists what the server was asked.
package graph
