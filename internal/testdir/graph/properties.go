package graph

import (
	"fmt"
	"strings"
)

// The properties of the user and group resources in Graph v1.0 (user.md
// and group.md, their properties and relationships tables). $select of
// anything else is refused, as Graph refuses it, so that a client that asks
// for a property Graph does not have fails here as it would in Entra.
var (
	userProperties = words(`aboutMe accountEnabled ageGroup assignedLicenses assignedPlans authorizationInfo
		birthday businessPhones city companyName consentProvidedForMinor country createdDateTime creationType
		customSecurityAttributes deletedDateTime department displayName employeeHireDate employeeLeaveDateTime
		employeeId employeeOrgData employeeType externalUserState externalUserStateChangeDateTime faxNumber
		givenName hireDate id identities imAddresses interests isResourceAccount jobTitle
		lastPasswordChangeDateTime legalAgeGroupClassification licenseAssignmentStates mail mailboxSettings
		mailNickname mobilePhone mySite officeLocation onPremisesDistinguishedName onPremisesDomainName
		onPremisesExtensionAttributes onPremisesImmutableId onPremisesLastSyncDateTime
		onPremisesProvisioningErrors onPremisesSamAccountName onPremisesSecurityIdentifier
		onPremisesSyncEnabled onPremisesUserPrincipalName otherMails passwordPolicies passwordProfile
		pastProjects postalCode preferredDataLocation preferredLanguage preferredName provisionedPlans
		proxyAddresses responsibilities schools securityIdentifier serviceProvisioningErrors showInAddressList
		signInActivity signInSessionsValidFromDateTime skills state streetAddress surname usageLocation
		userPrincipalName userType manager`)
	groupProperties = words(`allowExternalSenders assignedLabels assignedLicenses autoSubscribeNewMembers
		classification createdDateTime deletedDateTime description displayName expirationDateTime groupTypes
		hasMembersWithLicenseErrors hideFromAddressLists hideFromOutlookClients id isArchived
		isAssignableToRole isSubscribedByMail licenseProcessingState mail mailEnabled mailNickname
		membershipRule membershipRuleProcessingState onPremisesDomainName onPremisesLastSyncDateTime
		onPremisesNetBiosName onPremisesProvisioningErrors onPremisesSamAccountName
		onPremisesSecurityIdentifier onPremisesSyncEnabled preferredDataLocation preferredLanguage
		proxyAddresses renewedDateTime securityEnabled securityIdentifier serviceProvisioningErrors theme
		unseenCount visibility members`)
)

// words maps each lower-cased name to its spelling.
func words(s string) map[string]string {
	m := map[string]string{}
	for _, w := range strings.Fields(s) {
		m[strings.ToLower(w)] = w
	}
	return m
}

// resource is what a request lists: users, groups, or a group's members
// (users and groups both).
type resource uint8

const (
	resUsers resource = iota
	resGroups
	resMembers
)

func (r resource) typeName() string {
	switch r {
	case resGroups:
		return "microsoft.graph.group"
	case resMembers:
		return "microsoft.graph.directoryObject"
	}
	return "microsoft.graph.user"
}

// canonicalSelect checks each selected name against the resource and
// spells it as Graph does; property names are matched without regard to
// case, as the directory matches them. Directory extensions
// (extension_<appId>_<name>) are users' and groups' alike.
func canonicalSelect(sel []string, res resource) ([]string, error) {
	out := make([]string, 0, len(sel))
	for _, p := range sel {
		low := strings.ToLower(p)
		if strings.HasPrefix(low, "extension_") && strings.Count(p, "_") >= 2 {
			out = append(out, p)
			continue
		}
		var name string
		var ok bool
		switch res {
		case resUsers:
			name, ok = userProperties[low]
		case resGroups:
			name, ok = groupProperties[low]
		default:
			if name, ok = userProperties[low]; !ok {
				name, ok = groupProperties[low]
			}
		}
		if !ok {
			//lint:ignore ST1005 the text is Graph's own error message, word for word, as clients see it
			return nil, fmt.Errorf("Could not find a property named '%s' on type '%s'.", p, res.typeName())
		}
		out = append(out, name)
	}
	return out, nil
}

func (r resource) resourceName() string {
	switch r {
	case resGroups:
		return "Group"
	case resMembers:
		return "DirectoryObject"
	}
	return "User"
}
