package connection

import (
	"errors"

	"github.com/usersync/usersync/internal/upn"
)

// UPNSettings returns the connection's Advanced UPN Sync Settings (seed
// 000): the configureTwo document parsed and validated, or upn.Default()
// when the field is empty.
func (c Connection) UPNSettings() (upn.Config, error) {
	return upn.Parse(c.ConfigureTwo)
}

// validateConfigureTwo reports each problem of a configureTwo document as a
// FieldError under "configureTwo.", such as
// "configureTwo.syncUpnToAdAttribute.onWriteFailure: unknown value ...".
func validateConfigureTwo(doc string) []FieldError {
	_, err := upn.Parse(doc)
	if err == nil {
		return nil
	}
	var fes upn.FieldErrors
	if !errors.As(err, &fes) {
		return []FieldError{{Field: "configureTwo", Message: err.Error()}}
	}
	out := make([]FieldError, 0, len(fes))
	for _, fe := range fes {
		field := "configureTwo"
		if fe.Field != "" {
			field += "." + fe.Field
		}
		out = append(out, FieldError{Field: field, Message: fe.Message})
	}
	return out
}
