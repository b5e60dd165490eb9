package ldapserve

import "time"

// OIDs this server announces in its root DSE.
const (
	oidPagedResults = "1.2.840.113556.1.4.319" // RFC 2696
	oidStartTLS     = "1.3.6.1.4.1.1466.20037" // RFC 4511 section 4.14
	subschemaDN     = "cn=Subschema"
)

// rootDSE describes the server (RFC 4512 section 5.1). Its naming contexts
// are the bases of the views the client may read, so that an account does
// not learn about other views.
func rootDSE(bases []string, tls bool) *entry {
	e := newEntry("")
	e.add("objectClass", false, "top", "extensibleObject")
	e.add("namingContexts", false, bases...)
	e.add("supportedLDAPVersion", false, "3")
	e.add("supportedControl", false, oidPagedResults)
	if tls {
		e.add("supportedExtension", false, oidStartTLS)
	}
	e.add("supportedSASLMechanisms", true)
	e.add("subschemaSubentry", false, subschemaDN)
	e.add("vendorName", false, "usersync")
	e.add("vendorVersion", false, "usersync LDAP interface (read-only)")
	// currentTime lets a client without syncrepl take the server's clock as
	// its watermark and later ask for (modifyTimestamp>=watermark).
	e.add("currentTime", false, generalizedTime(time.Now()))
	return e
}

// The schema a client can read from the subschema entry: the standard
// definitions (RFC 4512, RFC 4519, RFC 2798, RFC 4530, RFC 2307bis memberOf)
// of every attribute and object class this server serves.
var (
	schemaAttributeTypes = []string{
		"( 2.5.4.0 NAME 'objectClass' EQUALITY objectIdentifierMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )",
		"( 2.5.4.41 NAME 'name' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
		"( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name )",
		"( 2.5.4.4 NAME ( 'sn' 'surname' ) SUP name )",
		"( 2.5.4.42 NAME 'givenName' SUP name )",
		"( 2.5.4.12 NAME 'title' SUP name )",
		"( 2.5.4.7 NAME ( 'l' 'localityName' ) SUP name )",
		"( 2.5.4.10 NAME ( 'o' 'organizationName' ) SUP name )",
		"( 2.5.4.11 NAME ( 'ou' 'organizationalUnitName' ) SUP name )",
		"( 2.5.4.13 NAME 'description' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
		"( 2.5.4.9 NAME ( 'street' 'streetAddress' ) EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
		"( 2.5.4.20 NAME 'telephoneNumber' EQUALITY telephoneNumberMatch SUBSTR telephoneNumberSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )",
		"( 2.5.4.23 NAME 'facsimileTelephoneNumber' SYNTAX 1.3.6.1.4.1.1466.115.121.1.22 )",
		"( 0.9.2342.19200300.100.1.41 NAME ( 'mobile' 'mobileTelephoneNumber' ) EQUALITY telephoneNumberMatch SUBSTR telephoneNumberSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )",
		"( 0.9.2342.19200300.100.1.1 NAME ( 'uid' 'userid' ) EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
		"( 0.9.2342.19200300.100.1.3 NAME ( 'mail' 'rfc822Mailbox' ) EQUALITY caseIgnoreIA5Match SUBSTR caseIgnoreIA5SubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
		"( 2.16.840.1.113730.3.1.241 NAME 'displayName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
		"( 2.16.840.1.113730.3.1.2 NAME 'departmentNumber' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
		"( 2.16.840.1.113730.3.1.39 NAME 'preferredLanguage' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
		"( 2.5.4.31 NAME 'member' SUP distinguishedName )",
		"( 2.5.4.49 NAME 'distinguishedName' EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
		"( 1.2.840.113556.1.2.102 NAME 'memberOf' EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 NO-USER-MODIFICATION USAGE dSAOperation )",
		"( 1.3.6.1.1.16.4 NAME 'entryUUID' EQUALITY UUIDMatch ORDERING UUIDOrderingMatch SYNTAX 1.3.6.1.1.16.1 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
		"( 2.5.18.1 NAME 'createTimestamp' EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
		"( 2.5.18.2 NAME 'modifyTimestamp' EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
		"( 1.3.6.1.1.20 NAME 'entryDN' EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
		"( 2.5.18.10 NAME 'subschemaSubentry' EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
		"( 2.5.18.9 NAME 'hasSubordinates' EQUALITY booleanMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
	}
	schemaObjectClasses = []string{
		"( 2.5.6.0 NAME 'top' ABSTRACT MUST objectClass )",
		"( 1.3.6.1.4.1.1466.101.120.111 NAME 'extensibleObject' SUP top AUXILIARY )",
		"( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( telephoneNumber $ description ) )",
		"( 2.5.6.7 NAME 'organizationalPerson' SUP person STRUCTURAL MAY ( title $ ou $ street $ l $ facsimileTelephoneNumber ) )",
		"( 2.16.840.1.113730.3.2.2 NAME 'inetOrgPerson' SUP organizationalPerson STRUCTURAL MAY ( departmentNumber $ displayName $ givenName $ mail $ mobile $ preferredLanguage $ uid ) )",
		"( 2.5.6.9 NAME 'groupOfNames' SUP top STRUCTURAL MUST cn MAY ( member $ description $ o $ ou ) )",
		"( 2.5.6.5 NAME 'organizationalUnit' SUP top STRUCTURAL MUST ou MAY description )",
		"( 2.5.6.4 NAME 'organization' SUP top STRUCTURAL MUST o MAY description )",
		"( 2.5.20.1 NAME 'subschema' AUXILIARY MAY ( attributeTypes $ objectClasses $ ldapSyntaxes $ matchingRules ) )",
	}
)

// subschemaEntry is the subschema subentry (RFC 4512 section 4.2).
func subschemaEntry() *entry {
	e := newEntry(subschemaDN)
	e.add("objectClass", false, "top", "subentry", "subschema", "extensibleObject")
	e.add("cn", false, "Subschema")
	e.add("attributeTypes", true, schemaAttributeTypes...)
	e.add("objectClasses", true, schemaObjectClasses...)
	e.add("entryDN", true, subschemaDN)
	e.add("subschemaSubentry", true, subschemaDN)
	return e
}
