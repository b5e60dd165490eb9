package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/usersync/usersync/internal/store"
)

// fieldLabels are the human names of the application fields the UI shows.
var fieldLabels = map[string]string{
	"userId": "User ID", "displayName": "Display name", "firstName": "First name", "lastName": "Last name",
	"email": "E-mail", "language": "Language", "telephoneNumber": "Telephone number", "mobile": "Mobile",
	"fax": "Fax", "extension": "Extension", "department": "Department", "streetAddress": "Street address",
	"city": "City", "state": "State", "postalCode": "Postal code", "country": "Country", "title": "Job title",
	"employeeId": "Employee ID", "timeZone": "Time zone", "culture": "Culture", "fullName": "Full name",
	"loginCode": "Login code", "voicemailCode": "Voicemail code", "provisioningRule": "Provisioning rule",
	"mobileTwinningNumber": "Mobile twinning number", "groups": "Groups",
}

// fieldLabel is a field's human name: a known one, or the field's name
// split at its capitals ("costCenter" is "Cost center").
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	var b strings.Builder
	for i, r := range field {
		switch {
		case i == 0:
			b.WriteRune(unicode.ToUpper(r))
		case unicode.IsUpper(r):
			b.WriteRune(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func init() { funcs["fieldLabel"] = fieldLabel }

// userSort reads the sort parameter of the users' list; an unknown order
// is refused naming the parameter.
func userSort(r *http.Request) (string, error) {
	switch v := r.URL.Query().Get("sort"); v {
	case "", store.UserSortUserID, store.UserSortUpdated, store.UserSortStatus:
		return v, nil
	default:
		return "", badRequest("sort", "sort must be userId, updated or status, got "+strconv.Quote(v))
	}
}
