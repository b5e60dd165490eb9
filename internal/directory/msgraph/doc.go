// Package msgraph reads users and groups from Microsoft Entra ID through
// Microsoft Graph's delta queries (GET /users/delta and /groups/delta): a
// directory.Reader whose full read is a delta query without a token, and a
// directory.ChangeReader whose token is the whole @odata.deltaLink of the
// previous read, saved after the read completes (directory.TokenAfterRead).
//
// Entries are named by the object id (Entry.DN is the id) and carry the
// Graph property names lower-cased, plus the names Entra's own attribute
// mappings use for the same values (objectId, telephoneNumber, mobile,
// facsimileTelephoneNumber), so that one mapping document serves both.
package msgraph
