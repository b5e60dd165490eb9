package mapping

// Create returns the userId and fields of a new user: the mapped values
// whose policy applies on create, then the template's defaults for fields
// the mappings left empty, except the extension, where the template wins.
func (m *Mapper) Create(r *Result) (userID string, fields map[string]string) {
	fields = make(map[string]string, len(r.Fields)+len(m.template))
	for _, f := range r.Fields {
		if f.Value != "" && f.rule.policy.Create {
			fields[f.Name] = f.Value
		}
	}
	for _, f := range m.template {
		if _, set := fields[f.Name]; !set || f.Name == FieldExtension {
			fields[f.Name] = f.Value
		}
	}
	return r.UserID, fields
}

// Update returns the userId and fields an existing user gets from the
// mapped result, given what is stored, and the changes in mapping order.
// A field changes only when its policy applies on update; a keepExisting
// field only fills an empty stored value, so an operator's edit survives;
// an empty mapped value clears the field only with ClearWhenEmpty. Fields
// without a mapping keep their stored values: removing a mapping blanks
// nothing. The userId follows the directory only if its mapping applies on
// update, which by default it does not.
func (m *Mapper) Update(r *Result, oldUserID string, old map[string]string) (userID string, fields map[string]string, changes []Change) {
	fields = make(map[string]string, len(old)+len(r.Fields))
	for k, v := range old {
		fields[k] = v
	}
	userID = oldUserID
	if m.userID != nil && m.userID.policy.Update && r.UserID != "" && r.UserID != oldUserID {
		changes = append(changes, Change{Field: FieldUserID, Old: oldUserID, New: r.UserID})
		userID = r.UserID
	}
	for _, f := range r.Fields {
		ru := f.rule
		if !ru.policy.Update {
			continue
		}
		cur, has := fields[f.Name]
		if f.Value == "" {
			if has {
				delete(fields, f.Name)
				if cur != "" {
					changes = append(changes, Change{Field: f.Name, Old: cur})
				}
			}
			continue
		}
		if ru.Strength == StrengthKeepExisting && cur != "" {
			continue
		}
		if cur != f.Value {
			fields[f.Name] = f.Value
			changes = append(changes, Change{Field: f.Name, Old: cur, New: f.Value})
		}
	}
	return userID, fields, changes
}
