package mapping

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/mapping/expr"
)

// Map applies the mapper to one entry, filling r (whose buffers are reused).
// A missing or empty source value is left out, so that it does not clear an
// application field, unless its mapping says ClearWhenEmpty.
// Value problems become warnings, or r.Err for strict mappings; a custom
// field beyond its limits, a value holding the separator it is joined with
// and a refused multi-valued source always set r.Err. The scope is decided
// last, on the mapped fields.
func (m *Mapper) Map(e *directory.Entry, r *Result) {
	r.reset()
	src := entryAttrs{e}
	var errs []error
	for i := range m.rules {
		ru := &m.rules[i]
		v, warning, err := ru.value(src, r.Unique)
		if errors.Is(err, errFlowIgnored) {
			continue
		}
		if warning != "" {
			r.Warnings = append(r.Warnings, ru.Target+": "+warning)
		}
		if err != nil {
			if ru.Strict || refused(err) {
				errs = append(errs, fmt.Errorf("%s: %w", ru.Target, err))
			} else {
				r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %v; left unchanged", ru.Target, err))
			}
			continue
		}
		if v == "" && ru.Default != "" {
			v = ru.Default
		}
		if ru.Target != TargetCustomFields {
			// A value past the bound fails the user, strict or not: it
			// is never stored, nor cut to fit.
			if err := limits.FieldValue(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: value %w", ru.Target, err))
				continue
			}
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
		if _, custom := expr.CanonicalCustomField(ru.Target); custom {
			// The application cannot store a custom field beyond its
			// limits, strict or not: the user fails, naming the field.
			if err := expr.ValidateCustomField(ru.Target, v); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if msg := checkValue(ru.typ, v); msg != "" {
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

// value reads the rule's source: its attribute's value, or the
// expression's result as text. Several values go through pick (multiValue);
// an expression's list with multiValue unset is joined with ", ", as
// Value.String prints it. warning is set when values were dropped.
// An IgnoreFlowIfNullOrEmpty that drops the value gives errFlowIgnored:
// the field is left untouched.
func (ru *rule) value(src entryAttrs, u Uniqueness) (v, warning string, err error) {
	if ru.expr == nil {
		return ru.pick(src.Values(ru.Source), ru.Source)
	}
	if ru.chain != nil {
		for _, name := range ru.chain {
			switch vals := src.Values(name); {
			case len(vals) == 0:
				continue
			case len(vals) > 1 && ru.MultiValue == "":
				return strings.Join(vals, ", "), "", nil // as the expression's list value prints
			default:
				return ru.pick(vals, name)
			}
		}
		return "", "", nil
	}
	var opt expr.Options
	if u != nil && ru.expr.UsesUniqueness() {
		opt.Unique = fieldClaim{u: u, field: ru.Target}
	}
	eval := func(a expr.Attributes) (expr.Value, error) { return ru.expr.EvalWith(a, opt) }
	if ru.Target == TargetCustomFields {
		eval = ru.expr.EvalCustomFields
	}
	val, err := eval(src)
	if err != nil {
		return "", "", fmt.Errorf("expression failed: %w", err)
	}
	if val.IgnoreFlow() {
		return "", "", errFlowIgnored
	}
	if val.Kind() == expr.KindList && ru.MultiValue != "" {
		return ru.pick(val.Strings(), "the expression")
	}
	return val.String(), "", nil
}

// errFlowIgnored says an expression's IgnoreFlowIfNullOrEmpty dropped the
// value: the mapping leaves its field as it is.
var errFlowIgnored = errors.New("left out of the flow")

// refused reports whether err is a value the user must fail on whatever
// the mapping's strictness: it would be stored wrongly or lose values.
func refused(err error) bool {
	for _, target := range []error{expr.ErrSeparatorInValue, expr.ErrValueEndsInSeparator, ErrSeparatorInValue, ErrMultipleValues,
		expr.ErrCustom, expr.ErrNoUniqueValue, expr.ErrNoUniqueness} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// customFields decodes the "$$$"-joined form into Custom1..Custom10, in
// field order. An invalid part fails the user with a message naming the
// field: the application cannot store a value beyond the custom fields'
// limits.
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
