// Package scimpush is SCIM push ("outbound provisioning"): a SCIM 2.0
// client for an application's own SCIM endpoint (RFC 7644), with the retry
// rules for 429 and 5xx answers, and a Pusher that follows usersync's change
// feed to create, patch, deactivate and delete users and group memberships
// there, saving its position in the feed with the outcomes it records.
package scimpush
