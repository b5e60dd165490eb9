// Package scimlog is the SCIM request log: an http.Handler middleware that
// records, for each request to /scim/v2/{connection}, the method, path,
// status, duration and the body with secrets redacted, so that an operator
// can check what a provisioning client such as Entra ID actually sends.
//
// The Authorization header is never recorded, and password attributes are
// redacted before an entry leaves the request, so neither reaches the store.
// Entries are written by one goroutine in batches, off the request's path,
// and forgotten after a retention period.
package scimlog
