package store

import "fmt"

// Administrator roles. An admin may change everything; an operator may
// look, start runs, decide on held runs and pause or resume schedules, and
// is refused every other change.
const (
	RoleAdmin    = "admin"
	RoleOperator = "operator"
)

// ErrLastAdmin is returned when a change would leave no enabled
// administrator with the admin role, which would lock everybody out of the
// configuration.
var ErrLastAdmin = fmt.Errorf("the last enabled administrator with the admin role cannot be demoted or disabled: %w", ErrConflict)

// ValidRole reports whether role is one of the administrator roles.
func ValidRole(role string) bool { return role == RoleAdmin || role == RoleOperator }
