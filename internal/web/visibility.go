package web

import "github.com/usersync/usersync/internal/connection"

// AdvancedSettingsAvailable reports whether the Edit Directory screen shows
// the "Advanced settings" button (the Advanced UPN Sync Settings dialog)
// beside the LDAP Rule Criteria Attribute field: only when the
// directory type is Relying Party and the system type is LDAP; in every
// other case the button is absent from the page.
func AdvancedSettingsAvailable(directoryType, systemType string) bool {
	return directoryType == connection.DirectoryRelyingParty && systemType == connection.SystemLDAP
}
