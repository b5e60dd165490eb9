// Package connection defines a Connection: one directory usersync talks to,
// with the fields of the System Connection screens in camelCase JSON.
package connection

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/mapping"
)

// Directory types: a directory users come from, or a Relying Party that
// usersync writes to.
const (
	DirectorySource       = "source"
	DirectoryRelyingParty = "relyingParty"
)

// System types. Only LDAP exists today; entra and scim follow.
const (
	SystemLDAP  = "ldap"
	SystemEntra = "entra"
)

// Transport security of an LDAP connection.
const (
	SecurityNone     = "none"
	SecurityLDAPS    = "ldaps"
	SecurityStartTLS = "startTls"
)

// Connection is one directory usersync talks to. Password holds the clear bind
// password only between reading a connection file and sealing it into the
// store: it is never marshalled back out (see MarshalJSON).
type Connection struct {
	Name                  string `json:"name"`
	FriendlyName          string `json:"friendlyName"`
	DirectoryType         string `json:"directoryType"`
	SystemType            string `json:"systemType"`
	DNSName               string `json:"dnsName"`
	Port                  int    `json:"port"`
	Security              string `json:"security"`
	CACertificate         string `json:"caCertificate,omitempty"`
	TLSSkipVerify         bool   `json:"tlsSkipVerify"`
	Username              string `json:"username"`
	Password              string `json:"password,omitempty"`
	SearchPath            string `json:"searchPath"`
	SearchFilter          string `json:"searchFilter"`
	LinkingKey            string `json:"linkingKey"`
	RuleCriteriaAttribute string `json:"ruleCriteriaAttribute"`
	ConfigureTwo          string `json:"configureTwo"`

	// IdentityMode says what links an Active Directory user to its app user:
	// IdentityAnchor (the default) or IdentityUPN. See identity.go.
	IdentityMode string `json:"identityMode,omitempty"`
	// UPNSuffixes lists the accepted UPN domain specifiers, domain-level and
	// forest-level alike; empty accepts any (upn.SuffixPolicy).
	UPNSuffixes []string `json:"upnSuffixes,omitempty"`
	// RequireFQDNUPN demands a fully qualified domain specifier, for when the
	// hybrid UPN format is the only one (a domain-qualified UPN is required).
	RequireFQDNUPN bool `json:"requireFqdnUpn,omitempty"`
	// NetBIOSDomain maps a DOMAIN\login name to this directory's UPN suffix
	// when authenticating; when empty it is read from the directory.
	NetBIOSDomain string `json:"netbiosDomain,omitempty"`
	// AllowPlainTextUserBinds lets user authentication bind over plain LDAP
	// when security is none. Off by default: a user's password never
	// crosses the network in clear unless the operator says so.
	AllowPlainTextUserBinds bool `json:"allowPlainTextUserBinds,omitempty"`

	// PageSize is the LDAP paged-results page size (default 1000).
	PageSize int `json:"pageSize,omitempty"`
	// TimeoutSeconds bounds dialing, the TLS handshake and each LDAP
	// request, every page of a search among them: a directory that stops
	// answering fails the run after this long instead of holding it forever.
	// Zero means the driver's default of 30 seconds.
	TimeoutSeconds int `json:"timeoutSeconds,omitempty"`
	// DeletionGuard holds back a run that would deactivate too many users.
	DeletionGuard DeletionGuard `json:"deletionGuard"`

	// Mappings are the field mappings; absent, the baseline for the
	// directory flavor applies (mapping.Baseline).
	Mappings []mapping.Mapping `json:"mappings,omitempty"`
	// Scope limits which entries are provisioned.
	Scope *mapping.Scope `json:"scope,omitempty"`
	// Template holds the defaults applied to new users.
	Template *mapping.Template `json:"template,omitempty"`
	// LeavePolicy says what happens to a user who left the directory or
	// the scope.
	LeavePolicy LeavePolicy `json:"leavePolicy"`
	// Group rules: memberships from directory groups by exact name; see
	// GroupRulesOn and groups.go.
	GroupRules         *bool  `json:"groupRules,omitempty"`
	GroupMembership    string `json:"groupMembership,omitempty"`
	GroupSearchPath    string `json:"groupSearchPath,omitempty"`
	GroupSearchFilter  string `json:"groupSearchFilter,omitempty"`
	FollowNestedGroups bool   `json:"followNestedGroups,omitempty"`
	ParentGroup        string `json:"parentGroup,omitempty"`
	AdminGroup         string `json:"adminGroup,omitempty"`
	GroupStatusRule    bool   `json:"groupStatusRule,omitempty"`
	ManualAssignments  string `json:"manualAssignments,omitempty"`
	// Schedule, TimeZone, MinInterval and Live say when the connection runs
	// (see schedule.go).
	Schedule    string `json:"schedule,omitempty"`
	TimeZone    string `json:"timeZone,omitempty"`
	MinInterval string `json:"minInterval,omitempty"`
	Live        bool   `json:"live,omitempty"`

	// HasPassword is set on connections read back from the store so that a
	// caller can tell a password exists without ever seeing it.
	HasPassword bool `json:"hasPassword"`

	// Entra holds the fields of a Microsoft Entra ID connection (see
	// entra.go); they sit at the top level of the document.
	Entra

	// Push holds the fields of a SCIM push target (see push.go); they sit
	// at the top level of the document.
	Push

	// Warnings is written, never read: MarshalJSON fills it with the
	// insecure settings (see Insecure), and Parse drops it, so that a
	// document read back with GET can be sent again with PUT.
	Warnings []FieldError `json:"warnings,omitempty"`
}

// DeletionGuard is the deletion guard: a run that would deactivate more
// than MaxCount users, or more than MinCount users that are also more than
// MaxPercent of the connection's active users, stops before deactivating
// anyone and waits for an operator. MinCount keeps the percentage from
// holding every small change in a tiny directory (one of four users is
// 25%); a deactivated user comes back by itself when the directory has them
// again, so a handful is not worth an operator's approval.
type DeletionGuard struct {
	Disabled   bool    `json:"disabled"`
	MaxCount   int     `json:"maxCount"`
	MaxPercent float64 `json:"maxPercent"`
	MinCount   int     `json:"minCount"`
}

// Leave actions: what happens to a user who left the directory or the
// scope: marked inactive, or deleted.
const (
	LeaveDeactivate           = "deactivate"
	LeaveDelete               = "delete"
	LeaveDeactivateThenDelete = "deactivateThenDelete"
)

// LeavePolicy says what happens to a user who is no longer in the directory
// or no longer in scope. The deletion guard counts every deactivation and
// deletion it causes.
type LeavePolicy struct {
	// Action is deactivate (the default), delete, or deactivateThenDelete.
	Action string `json:"action"`
	// AfterDays is, for deactivateThenDelete, how many days a user stays
	// inactive before a later run deletes it.
	AfterDays int `json:"afterDays,omitempty"`
}

// MappingSet returns the connection's mapping configuration; Mappings is
// nil when the baseline applies.
func (c Connection) MappingSet() mapping.Set {
	return mapping.Set{Mappings: c.Mappings, Scope: c.Scope, Template: c.Template, ByObject: c.SystemType == SystemEntra}
}

// Default deletion-guard thresholds. Azure's provisioning service holds back
// 500 deletions by default; a percentage catches small directories too.
const (
	DefaultGuardMaxCount   = 500
	DefaultGuardMaxPercent = 20
	DefaultGuardMinCount   = 5
	DefaultPageSize        = 1000
)

// Trips reports whether deactivating n of active users exceeds the guard.
func (g DeletionGuard) Trips(n, active int) bool {
	if g.Disabled || n == 0 {
		return false
	}
	if n > g.MaxCount {
		return true
	}
	return n > g.MinCount && active > 0 && float64(n)*100/float64(active) > g.MaxPercent
}

// Parse reads a connection document strictly: an unknown field is an error
// naming it, so that a typo never silently falls back to a default.
func Parse(data []byte) (Connection, error) {
	var c Connection
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Connection{}, fmt.Errorf("connection: %w", describeJSONError(err))
	}
	c.HasPassword = false
	c.Warnings = nil
	c.ApplyDefaults()
	return c, nil
}

func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if ok := asType(err, &te); ok {
		return fmt.Errorf("field %q: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(s, "json: unknown field "))
	}
	return err
}

// ApplyDefaults fills the fields a connection file may leave out.
func (c *Connection) ApplyDefaults() {
	if c.DirectoryType == "" {
		c.DirectoryType = DirectorySource
	}
	if c.SystemType == "" {
		c.SystemType = SystemLDAP
	}
	if c.SystemType == SystemEntra {
		c.applyEntraDefaults()
	}
	defer c.applyPushDefaults()
	if c.Security == "" && c.SystemType != SystemEntra {
		c.Security = SecurityNone
	}
	if c.Port == 0 && c.SystemType != SystemEntra {
		c.Port = 389
		if c.Security == SecurityLDAPS {
			c.Port = 636
		}
	}
	if c.SearchFilter == "" && c.SystemType != SystemEntra {
		c.SearchFilter = "(objectClass=person)"
	}
	if c.RuleCriteriaAttribute == "" {
		c.RuleCriteriaAttribute = "memberOf"
	}
	if c.FriendlyName == "" {
		c.FriendlyName = c.Name
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.DeletionGuard.MaxCount == 0 {
		c.DeletionGuard.MaxCount = DefaultGuardMaxCount
	}
	if c.LeavePolicy.Action == "" {
		c.LeavePolicy.Action = LeaveDeactivate
	}
	if c.DeletionGuard.MaxPercent == 0 {
		c.DeletionGuard.MaxPercent = DefaultGuardMaxPercent
	}
	if c.DeletionGuard.MinCount == 0 {
		c.DeletionGuard.MinCount = DefaultGuardMinCount
	}
}

// MarshalJSON never writes the password: the API and the CLI show
// hasPassword instead, so that secrets stay sealed (docs/invariants.md).
func (c Connection) MarshalJSON() ([]byte, error) {
	type plain Connection
	p := plain(c)
	if p.Password != "" {
		p.HasPassword = true
	}
	p.Password = ""
	if p.ClientSecret != "" || p.Certificate != "" {
		p.HasPassword = true
	}
	p.ClientSecret, p.Certificate = "", ""
	if p.Token != "" {
		p.HasPassword = true
	}
	p.Token = ""
	p.Warnings = Connection(p).Insecure()
	return json.Marshal(p)
}

// Redacted returns a copy without the password, safe to log.
func (c Connection) Redacted() Connection {
	c.HasPassword = c.HasPassword || c.Password != "" || c.ClientSecret != "" || c.Certificate != "" || c.Token != ""
	c.Password, c.ClientSecret, c.Certificate, c.Token = "", "", "", ""
	return c
}

// Address is host:port for dialing; for an Entra connection, the host of
// its Graph endpoint, for listings.
func (c Connection) Address() string {
	if c.IsPushTarget() {
		return c.BaseURL
	}
	if c.SystemType == SystemEntra {
		_, graph, _ := c.Endpoints()
		return strings.TrimPrefix(graph, "https://")
	}
	return fmt.Sprintf("%s:%d", c.DNSName, c.Port)
}
