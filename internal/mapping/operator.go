package mapping

import "github.com/usersync/usersync/internal/mapping/expr"

// OperatorField checks an operator's edit of one field and returns the
// field's canonical name. A custom field, written in any case ("custom2"),
// is Custom1 to Custom10 and holds the same values a sync may write: at most
// 256 characters and never the "$$$" separator. Other fields are returned
// as given.
func OperatorField(field, value string) (string, error) {
	canon, ok := expr.CanonicalCustomField(field)
	if !ok {
		return field, nil
	}
	if err := expr.ValidateCustomField(canon, value); err != nil {
		return "", err
	}
	return canon, nil
}
