package mapping

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping/expr"
)

// Map applies the mapper to one entry, filling r (whose buffers are reused).
// A missing or empty source value is left out, so that it does not clear an
// application field (seed 004), unless its mapping says ClearWhenEmpty.
// Value problems become warnings, or r.Err for strict mappings; the scope is
// decided last, on the mapped fields.
func (m *Mapper) Map(e *directory.Entry, r *Result) {
	r.reset()
	src := entryAttrs{e}
	var errs []error
	for i := range m.rules {
		ru := &m.rules[i]
		v, err := ru.value(src)
		if err != nil {
			if ru.Strict || errors.Is(err, expr.ErrSeparatorInValue) {
				errs = append(errs, fmt.Errorf("%s: %w", ru.Target, err))
			} else {
				r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %v; left unchanged", ru.Target, err))
			}
			continue
		}
		if v == "" && ru.Default != "" {
			v = ru.Default
		}
		switch ru.Target {
		case FieldUserID:
			r.UserID = v
			continue
		case TargetCustomFields:
			if err := ru.customFields(v, r); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if v == "" {
			if ru.ClearWhenEmpty {
				r.Fields = append(r.Fields, Field{Name: ru.Target, rule: ru})
			}
			continue
		}
		if msg := ru.check(v); msg != "" {
			if ru.Strict {
				errs = append(errs, fmt.Errorf("%s: %s (the mapping is strict)", ru.Target, msg))
				continue
			}
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %s", ru.Target, msg))
		}
		r.Fields = append(r.Fields, Field{Name: ru.Target, Value: v, rule: ru})
	}
	if len(errs) > 0 {
		r.Err = errors.Join(errs...)
		return
	}
	if m.scope != nil {
		m.scope.match(src, r)
	}
}

// value reads the rule's source: the first value of its attribute, or the
// expression's result as text (a list joins with ", ").
func (ru *rule) value(src entryAttrs) (string, error) {
	if ru.expr == nil {
		if v := src.Values(ru.Source); len(v) > 0 {
			return v[0], nil
		}
		return "", nil
	}
	if ru.chain != nil {
		for _, name := range ru.chain {
			switch v := src.Values(name); len(v) {
			case 0:
				continue
			case 1:
				return v[0], nil
			default:
				return strings.Join(v, ", "), nil // as the expression's list value prints
			}
		}
		return "", nil
	}
	eval := ru.expr.Eval
	if ru.Target == TargetCustomFields {
		eval = ru.expr.EvalCustomFields
	}
	v, err := eval(src)
	if err != nil {
		return "", fmt.Errorf("expression failed: %w", err)
	}
	return v.String(), nil
}

// check returns why v does not fit the rule's type or, for a custom field,
// the seed 004 limits; "" when it fits.
func (ru *rule) check(v string) string {
	if _, ok := expr.CanonicalCustomField(ru.Target); ok {
		if err := expr.ValidateCustomField(ru.Target, v); err != nil {
			return err.Error()
		}
	}
	return checkValue(ru.typ, v)
}

// customFields decodes seed 004's "$$$"-joined form into Custom1..Custom10,
// in field order. An invalid part fails the user with a message naming the
// field: the application cannot store it (seed 004's limits).
func (ru *rule) customFields(v string, r *Result) error {
	cf, err := expr.ParseCustomFields(v)
	if err != nil {
		return fmt.Errorf("%s: %w", TargetCustomFields, err)
	}
	for n := 1; n <= expr.MaxCustomFields; n++ {
		name := "Custom" + strconv.Itoa(n)
		val, ok := cf[name]
		if !ok || (val == "" && !ru.ClearWhenEmpty) {
			continue
		}
		r.Fields = append(r.Fields, Field{Name: name, Value: val, rule: ru})
	}
	return nil
}
