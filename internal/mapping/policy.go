package mapping

// Policy is the New / Update / Delete columns of the field table for one
// mapping:
// whether it applies when a user is created, when a user is updated, and
// whether the field is cleared when the user leaves (is deactivated or
// deleted). A nil part takes the default for the target (DefaultPolicy).
type Policy struct {
	Create *bool `json:"create,omitempty"`
	Update *bool `json:"update,omitempty"`
	Delete *bool `json:"delete,omitempty"`
}

// resolvedPolicy is a Policy with every part decided.
type resolvedPolicy struct {
	Create, Update, Delete bool
}

// Application fields of the field table (IP Office user fields), named as
// usersync names them.
const (
	FieldFullName             = "fullName"
	FieldEmail                = "email"
	FieldExtension            = "extension"
	FieldLoginCode            = "loginCode"
	FieldVoicemailCode        = "voicemailCode"
	FieldMobileTwinningNumber = "mobileTwinningNumber"
	FieldGroups               = "groups"
	FieldProvisioningRule     = "provisioningRule"
)

// ipOfficeFieldPolicies is the field table: which operations use each
// field. IP Office's
// User Identification is userId, its Name is displayName (the mandatory
// name) and its Full Name is fullName.
var ipOfficeFieldPolicies = map[string]resolvedPolicy{
	FieldUserID:               {Create: true, Update: false, Delete: true},
	FieldName:                 {Create: true, Update: true, Delete: true},
	FieldFullName:             {Create: true, Update: true, Delete: true},
	FieldEmail:                {Create: true, Update: true, Delete: true},
	FieldExtension:            {Create: true, Update: true, Delete: true},
	FieldLoginCode:            {Create: true, Update: false, Delete: false},
	FieldVoicemailCode:        {Create: true, Update: false, Delete: false},
	FieldMobileTwinningNumber: {Create: true, Update: true, Delete: true},
	FieldGroups:               {Create: true, Update: true, Delete: true},
	FieldProvisioningRule:     {Create: true, Update: false, Delete: false},
}

// DefaultPolicy returns the operation policy a mapping to target gets when
// it says nothing: the field table for its fields, and for every other
// field "on create and update, kept when the user leaves".
func DefaultPolicy(target string) (create, update, clearOnLeave bool) {
	p, ok := ipOfficeFieldPolicies[target]
	if !ok {
		p = resolvedPolicy{Create: true, Update: true}
	}
	return p.Create, p.Update, p.Delete
}

func (p *Policy) resolve(target string) resolvedPolicy {
	var r resolvedPolicy
	r.Create, r.Update, r.Delete = DefaultPolicy(target)
	if p == nil {
		return r
	}
	if p.Create != nil {
		r.Create = *p.Create
	}
	if p.Update != nil {
		r.Update = *p.Update
	}
	if p.Delete != nil {
		r.Delete = *p.Delete
	}
	return r
}

// Ptr returns a pointer to b, for writing policies in Go.
func Ptr(b bool) *bool { return &b }

// keep is the policy of the baseline sets: on create and update, and kept
// when the user leaves, as a leaver is marked inactive without being
// blanked.
func keep() *Policy { return &Policy{Create: Ptr(true), Update: Ptr(true), Delete: Ptr(false)} }
