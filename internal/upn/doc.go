// Package upn holds the pure logic usersync needs around User Principal Names:
// the configureTwo document ("Advanced UPN Sync Settings", schema version 1),
// parsing and normalising UPNs, checking their domain specifier against a
// suffix policy, and planning the write-back of a UPN into an Active Directory
// attribute such as proxyAddresses.
//
// Nothing here talks to a directory: callers read entries, call these
// functions, and perform the writes the returned plans describe.
package upn
