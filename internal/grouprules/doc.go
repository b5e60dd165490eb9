// Package grouprules applies the group rules to a connection's users:
// a user joins each permission set and application group whose name is
// exactly the name (cn) of one of their directory groups, and leaves every
// rule-managed one that no longer matches; a group named
// "<connection>_<site>" assigns that site, "<connection>_AllSites" every
// site; members of the admin group ("Administrator") are super users; and,
// when the connection turns the status rule on, a user in none of the
// in-scope groups is inactive.
//
// Memberships are read in bulk, once per run, never one query per user:
// either from the users' memberOf (the connection's ruleCriteriaAttribute)
// or from the groups' member attribute (with Active Directory's ranged
// retrieval). Both feed one Graph of "is a direct member of" edges; nested
// groups are followed only when the connection says so, with cycle
// protection. Phase plugs the rules into a reconcile run.
package grouprules
