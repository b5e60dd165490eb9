package connection

import (
	"errors"

	"github.com/usersync/usersync/internal/upn"
)

// UPNSettings returns the connection's Advanced UPN Sync Settings: the
// configureTwo document parsed and validated, or upn.Default() when the
// field is empty. A document that does not parse is a *ValidationError.
func (c Connection) UPNSettings() (upn.Config, error) {
	cfg, err := upn.Parse(c.ConfigureTwo)
	if err != nil {
		return cfg, &ValidationError{Problems: configureTwoProblems(err)}
	}
	return cfg, nil
}

// validateConfigureTwo reports each problem of a configureTwo document as a
// FieldError under "configureTwo.", such as
// "configureTwo.syncUpnToAdAttribute.onWriteFailure: unknown value ...".
func validateConfigureTwo(doc string) []FieldError {
	if _, err := upn.Parse(doc); err != nil {
		return configureTwoProblems(err)
	}
	return nil
}

// configureTwoProblems is the one place that names a configureTwo problem:
// each field under "configureTwo.", so that callers add only their own
// context and never the prefix again.
func configureTwoProblems(err error) []FieldError {
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
