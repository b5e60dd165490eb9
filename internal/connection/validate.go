package connection

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/limits"
)

// FieldError is one problem with one field of a connection document.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// ValidationError lists every problem found at once, so that an operator fixes
// a connection file in one pass instead of one error per try.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid connection: " + strings.Join(parts, "; ")
}

// ErrInvalid is matched by every *ValidationError through errors.Is.
var ErrInvalid = errors.New("invalid connection")

// Is lets errors.Is(err, ErrInvalid) recognise a validation failure.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func asType[T error](err error, target *T) bool { return errors.As(err, target) }

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// attributeRE is an LDAP attribute description: a descriptor or an OID.
var attributeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)$`)

// fieldRE is a usersync field name.
var fieldRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// Validate reports every problem with c at once.
func (c Connection) Validate() error {
	var probs []FieldError
	add := func(field, format string, args ...any) {
		probs = append(probs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !slugRE.MatchString(c.Name) {
		add("name", "must be a slug of lower-case letters, digits, '-' or '_' (1-63 characters), got %q", c.Name)
	}
	if err := limits.Name(c.FriendlyName); err != nil {
		add("friendlyName", "must be plain text of at most %d bytes: %v", limits.MaxName, err)
	}
	if err := limits.Name(c.DNSName); err != nil {
		add("dnsName", "must be plain text of at most %d bytes: %v", limits.MaxName, err)
	}
	if err := limits.PlainText(c.Username); err != nil {
		add("username", "must be plain text: %v", err)
	}
	for _, f := range []struct{ name, value string }{{"username", c.Username}, {"searchPath", c.SearchPath}, {"searchFilter", c.SearchFilter},
		{"groupSearchPath", c.GroupSearchPath}, {"groupSearchFilter", c.GroupSearchFilter}, {"parentGroup", c.ParentGroup},
		{"adminGroup", c.AdminGroup}, {"manualAssignments", c.ManualAssignments}, {"configureTwo", c.ConfigureTwo}} {
		if err := limits.FieldValue(f.value); err != nil {
			add(f.name, "is %v", err)
		}
	}
	switch c.DirectoryType {
	case DirectorySource, DirectoryRelyingParty, DirectoryTarget:
	default:
		add("directoryType", "must be %q, %q or %q, got %q", DirectorySource, DirectoryRelyingParty, DirectoryTarget, c.DirectoryType)
	}
	switch c.SystemType {
	case SystemLDAP, SystemSCIM:
	case SystemEntra:
		probs = append(probs, c.validateEntra()...)
	default:
		add("systemType", "must be %q, %q or %q, got %q", SystemLDAP, SystemEntra, SystemSCIM, c.SystemType)
	}
	if c.SystemType == SystemLDAP {
		if c.DNSName == "" {
			add("dnsName", "is required")
		} else if strings.ContainsAny(c.DNSName, " /:") {
			add("dnsName", "must be a host name or IP address without scheme or port, got %q", c.DNSName)
		}
		if c.Port < 1 || c.Port > 65535 {
			add("port", "must be between 1 and 65535, got %d", c.Port)
		}
		switch c.Security {
		case SecurityNone, SecurityLDAPS, SecurityStartTLS:
		default:
			add("security", "must be %q, %q or %q, got %q", SecurityNone, SecurityLDAPS, SecurityStartTLS, c.Security)
		}
		if c.CACertificate != "" && !strings.Contains(c.CACertificate, "-----BEGIN CERTIFICATE-----") {
			add("caCertificate", "must be one or more PEM certificates")
		}
		if c.SearchPath == "" {
			add("searchPath", "is required (the base DN to search, e.g. ou=people,dc=example,dc=com)")
		} else if _, err := ldap.ParseDN(c.SearchPath); err != nil {
			add("searchPath", "is not a valid DN: %v", err)
		}
		if _, err := ldap.CompileFilter(c.SearchFilter); err != nil {
			add("searchFilter", "is not a valid LDAP filter: %v", err)
		}
	}
	if c.DirectoryType == DirectoryRelyingParty {
		if _, err := RelyingPartyLink(c.LinkingKey); err != nil {
			add("linkingKey", "must be ATTRIBUTE or FIELD=ATTRIBUTE (such as userPrincipalName or email=mail), got %q", c.LinkingKey)
		}
	} else if c.LinkingKey != "" && !attributeRE.MatchString(c.LinkingKey) {
		add("linkingKey", "must be an attribute name, got %q", c.LinkingKey)
	}
	if !attributeRE.MatchString(c.RuleCriteriaAttribute) {
		add("ruleCriteriaAttribute", "must be an attribute name, got %q", c.RuleCriteriaAttribute)
	}
	switch c.IdentityMode {
	case "", IdentityAnchor, IdentityUPN:
	default:
		add("identityMode", "must be %q or %q, got %q", IdentityAnchor, IdentityUPN, c.IdentityMode)
	}
	if err := c.SuffixPolicy().Validate(); err != nil {
		add("upnSuffixes", "%v", err)
	}
	if c.PageSize < 1 || c.PageSize > 100000 {
		add("pageSize", "must be between 1 and 100000, got %d", c.PageSize)
	}
	if c.TimeoutSeconds < 0 || c.TimeoutSeconds > 3600 {
		add("timeoutSeconds", "must be between 1 and 3600 (or 0 for the default of 30), got %d", c.TimeoutSeconds)
	}
	if c.DeletionGuard.MaxCount < 0 {
		add("deletionGuard.maxCount", "must not be negative")
	}
	if c.DeletionGuard.MinCount < 0 {
		add("deletionGuard.minCount", "must not be negative")
	}
	if c.DeletionGuard.MaxPercent < 0 || c.DeletionGuard.MaxPercent > 100 {
		add("deletionGuard.maxPercent", "must be between 0 and 100, got %v", c.DeletionGuard.MaxPercent)
	}
	if c.ConfigureTwo != "" && c.DirectoryType != DirectoryRelyingParty {
		// The Advanced UPN Sync Settings exist on relying parties only; a
		// source that kept a document would change how its users are linked
		// without any screen showing it.
		add("configureTwo", "applies to relying parties only (the Advanced UPN Sync Settings); this is a %q connection: remove the document", c.DirectoryType)
	} else {
		probs = append(probs, validateConfigureTwo(c.ConfigureTwo)...)
	}
	switch c.LeavePolicy.Action {
	case LeaveDeactivate, LeaveDelete:
		if c.LeavePolicy.AfterDays != 0 {
			add("leavePolicy.afterDays", "only applies to %q", LeaveDeactivateThenDelete)
		}
	case LeaveDeactivateThenDelete:
		if c.LeavePolicy.AfterDays < 1 {
			add("leavePolicy.afterDays", "must be at least 1 for %q, got %d", LeaveDeactivateThenDelete, c.LeavePolicy.AfterDays)
		}
	default:
		add("leavePolicy.action", "must be %q, %q or %q, got %q", LeaveDeactivate, LeaveDelete, LeaveDeactivateThenDelete, c.LeavePolicy.Action)
	}
	for _, p := range c.MappingSet().Validate(c.Mappings == nil) {
		add(p.Field, "%s", p.Message)
	}
	probs = append(probs, c.validateGroupRules()...)
	probs = append(probs, c.validateSchedule()...)
	probs = c.scimProblems(probs)
	probs = c.pushProblems(probs)
	if len(probs) == 0 {
		return nil
	}
	return &ValidationError{Problems: probs}
}
