package connection

import "github.com/usersync/usersync/internal/upn"

// Identity modes: what links a directory user to its application user.
const (
	// IdentityAnchor links by the immutable anchor (objectGUID on Active
	// Directory): a renamed login name updates the same application user.
	IdentityAnchor = "anchor"
	// IdentityUPN makes the UPN both the user ID and the link: a
	// changed UPN creates a new application user and deactivates the old.
	IdentityUPN = "upn"
)

// Identity returns the connection's identity mode, IdentityAnchor when unset.
func (c Connection) Identity() string {
	if c.IdentityMode == "" {
		return IdentityAnchor
	}
	return c.IdentityMode
}

// SuffixPolicy returns the UPN suffix policy the connection's upnSuffixes
// and requireFqdnUpn settings describe.
func (c Connection) SuffixPolicy() upn.SuffixPolicy {
	return upn.SuffixPolicy{AcceptedSuffixes: c.UPNSuffixes, RequireFQDN: c.RequireFQDNUPN}
}
