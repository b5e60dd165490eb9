package store

import "time"

// Certificate statuses.
const (
	// CertActive: the certificate's mapping belongs in altSecurityIdentities.
	CertActive = "active"
	// CertRevoked: the certificate was revoked; usersync removes the mapping
	// it wrote.
	CertRevoked = "revoked"
)

// Certificate is one user certificate enrolled for a relying-party
// connection, and what usersync wrote for it: Mapping is the strong
// altSecurityIdentities value (KB5014754) computed from it, and WrittenDN is
// the entry usersync added that value to, or "" when usersync holds no value
// in the directory for it (not written yet, already removed, or found there
// before usersync, in which case usersync never removes it).
type Certificate struct {
	ID          int64      `json:"id"`
	Connection  string     `json:"connection"`
	UserID      string     `json:"userId"`
	Form        string     `json:"form"`
	Mapping     string     `json:"mapping"`
	Fingerprint string     `json:"sha256"`
	Subject     string     `json:"subject"`
	Issuer      string     `json:"issuer"`
	Serial      string     `json:"serial"`
	NotAfter    time.Time  `json:"notAfter"`
	Status      string     `json:"status"`
	WrittenDN   string     `json:"writtenDn,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	RevokedAt   *time.Time `json:"revokedAt,omitempty"`
}

// Owned reports whether usersync wrote the certificate's mapping into the
// directory and has not removed it since: only then may it delete it.
func (c Certificate) Owned() bool { return c.WrittenDN != "" }

// CertificateQuery filters ListCertificates. Zero values mean "any"; UserID
// is compared case-insensitively.
type CertificateQuery struct {
	Connection string
	UserID     string
	Status     string
	Mapping    string
}
