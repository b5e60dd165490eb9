package web

// navItem is one link of the main navigation. Key is what a page's
// template name maps to (see navOf) to mark the link as current.
type navItem struct {
	Key, Href, Label string
	// AdminOnly links lead to pages that only change settings, which an
	// operator cannot; the pages stay readable by address.
	AdminOnly bool
}

// navItems is the main navigation, in order. A new page adds one line.
var navItems = []navItem{
	{Key: "dashboard", Href: "/", Label: "Dashboard"},
	{Key: "connections", Href: "/connections", Label: "System Connections"},
	{Key: "runs", Href: "/runs", Label: "Runs"},
	{Key: "schedules", Href: "/schedules", Label: "Schedules"},
	{Key: "users", Href: "/users", Label: "Users"},
	{Key: "entities", Href: "/entities", Label: "Entities"},
	{Key: "ldap_views", Href: "/ldap-views", Label: "LDAP views", AdminOnly: true},
	{Key: "webhooks", Href: "/webhooks", Label: "Webhooks", AdminOnly: true},
	{Key: "local_users", Href: "/local-users", Label: "Local users", AdminOnly: true},
	{Key: "tokens", Href: "/tokens", Label: "API tokens", AdminOnly: true},
	{Key: "certificates", Href: "/certificates", Label: "Certificates"},
	{Key: "admins", Href: "/admins", Label: "Administrators", AdminOnly: true},
	{Key: "audit", Href: "/audit", Label: "Audit log"},
}
