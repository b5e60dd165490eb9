// Package writeback runs relying-party connections: it reads the relying
// party's directory, links each entry to a usersync user through the
// connection's linkingKey, and writes back the values usersync owns there:
// the UPN into the attribute the configureTwo document ("Advanced UPN Sync
// Settings") names and the strong certificate mappings of the users'
// enrolled certificates into altSecurityIdentities (KB5014754).
//
// Every write changes only specific values (an add, a single-valued
// replace, or the delete of a value usersync wrote), is planned so that a
// second run writes nothing, and is verified by reading the attribute back.
// A value usersync does not own is never overwritten: with
// skipIfAlreadyPresent, a single-valued attribute that already has a value
// keeps it and the entry is reported skipped with the value kept. Each
// linked entry that changed, failed or was skipped leaves an outcome in the
// run record.
package writeback
