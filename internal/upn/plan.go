package upn

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNoValue means there is nothing to write: the user has no
// userPrincipalName and either mail fallback is off or mail is empty too.
var ErrNoValue = errors.New("upn: nothing to write")

// ErrSeveralValues means multiValued is off but the target attribute holds
// several values: replacing them with one would delete values usersync does
// not own, so nothing is written.
var ErrSeveralValues = errors.New("upn: the attribute holds several values but multiValued is off")

// Action is what a WritePlan does to the target attribute.
type Action int

// The actions a WritePlan can carry.
const (
	// ActionNone writes nothing; WritePlan.Reason says why.
	ActionNone Action = iota
	// ActionAdd adds Value to a multi-valued attribute, keeping the others.
	ActionAdd
	// ActionReplace replaces the single value of the attribute with Value.
	ActionReplace
)

// String names the action for logs and run reports.
func (a Action) String() string {
	switch a {
	case ActionNone:
		return "none"
	case ActionAdd:
		return "add"
	case ActionReplace:
		return "replace"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Reason explains a WritePlan whose Action is ActionNone.
type Reason string

// The reasons PlanWrite gives for writing nothing.
const (
	// ReasonSyncDisabled: syncUpnToAdAttribute.enabled is false.
	ReasonSyncDisabled Reason = "sync disabled"
	// ReasonAlreadyPresent: skipIfAlreadyPresent found an equivalent value.
	ReasonAlreadyPresent Reason = "an equivalent value is already present"
	// ReasonUpToDate: the attribute already holds exactly the value.
	ReasonUpToDate Reason = "value already up to date"
	// ReasonHasValue: skipIfAlreadyPresent is on and the single-valued
	// attribute already holds another value, which is kept.
	ReasonHasValue Reason = "the attribute already has a value"
)

// Source names the directory attribute the written value came from.
type Source string

// The sources of a written value.
const (
	// SourceUPN means the value is the user's userPrincipalName.
	SourceUPN Source = "userPrincipalName"
	// SourceMail means the value is the user's mail (mail fallback).
	SourceMail Source = "mail"
)

// WritePlan says what to do to the target attribute of one user. It is a
// plain value: the same plan drives dry runs, previews and the write itself.
type WritePlan struct {
	// Action is none, add (multi-valued) or replace (single-valued).
	Action Action
	// Attribute is the LDAP attribute to change (targetAttribute).
	Attribute string
	// Value is the formatted value to add or put in place; for ActionNone
	// it is the value that would have been written, when there is one.
	Value string
	// Source says where the value came from.
	Source Source
	// Reason explains ActionNone; it is empty otherwise.
	Reason Reason
	// Kept is the value left in place under ReasonHasValue.
	Kept string
	// OnFailure is how the run reacts if the write fails.
	OnFailure OnWriteFailure
}

// PlanWrite decides, without any I/O, what to write into cfg's target
// attribute for a user with the given userPrincipalName, mail and current
// values of the target attribute (existing).
//
// The value is the UPN or, when the UPN is empty and mail fallback is on, the
// mail; with neither, PlanWrite fails with ErrNoValue. Lowercase lowercases
// the value (never the prefix); a prefixed format writes "prefix:value". With
// skipIfAlreadyPresent, nothing is written when an equivalent value exists:
// the address part is compared case-insensitively, as AD does, and the
// prefix case-insensitively when treatPrefixVariantsAsDuplicates is on (so
// "SMTP:a@b" counts as "smtp:a@b") and case-sensitively otherwise. For a
// single-valued attribute, skipIfAlreadyPresent also means that any value
// already there is kept: write-back only fills an empty attribute and never
// overwrites a value it does not own (ReasonHasValue, with Kept set).
// Without skipIfAlreadyPresent, only an identical value counts as present.
// A multi-valued attribute gets an Add and never loses its other values; a
// single-valued one gets a Replace, only when skipIfAlreadyPresent is off,
// unless it already holds exactly the value; when it holds several values
// (multiValued is off on a multi-valued attribute), PlanWrite fails with
// ErrSeveralValues rather than delete them. Applying the plan and planning
// again yields ActionNone.
func PlanWrite(cfg Config, upn, mail string, existing []string) (WritePlan, error) {
	s := cfg.SyncUpnToAdAttribute
	plan := WritePlan{Attribute: s.TargetAttribute, OnFailure: s.OnWriteFailure}
	if !s.Enabled {
		plan.Reason = ReasonSyncDisabled
		return plan, nil
	}
	if err := cfg.Validate(); err != nil {
		return WritePlan{}, fmt.Errorf("upn: plan write: %w", err)
	}
	value, source, err := pickValue(cfg, upn, mail)
	if err != nil {
		return WritePlan{}, err
	}
	plan.Source = source
	plan.Value = FormatValue(s, value)

	if s.SkipIfAlreadyPresent {
		if slices.ContainsFunc(existing, func(v string) bool { return equivalent(s, v, plan.Value) }) {
			plan.Reason = ReasonAlreadyPresent
			return plan, nil
		}
		if !s.MultiValued {
			if i := slices.IndexFunc(existing, func(v string) bool { return v != "" }); i >= 0 {
				plan.Reason, plan.Kept = ReasonHasValue, existing[i]
				return plan, nil
			}
		}
	}
	if s.MultiValued {
		if slices.Contains(existing, plan.Value) {
			plan.Reason = ReasonUpToDate
			return plan, nil
		}
		plan.Action = ActionAdd
		return plan, nil
	}
	if len(existing) == 1 && existing[0] == plan.Value {
		plan.Reason = ReasonUpToDate
		return plan, nil
	}
	if len(existing) > 1 {
		return WritePlan{}, fmt.Errorf("%w: %s holds %d values; refusing to replace them with %q", ErrSeveralValues, s.TargetAttribute, len(existing), plan.Value)
	}
	plan.Action = ActionReplace
	return plan, nil
}

// pickValue returns the UPN, or the mail under mail fallback.
func pickValue(cfg Config, upn, mail string) (string, Source, error) {
	if v := strings.TrimSpace(upn); v != "" {
		return v, SourceUPN, nil
	}
	if !cfg.MailFallbackOnMissingUpn.Enabled {
		return "", "", fmt.Errorf("%w: user has no userPrincipalName and mailFallbackOnMissingUpn is disabled", ErrNoValue)
	}
	if v := strings.TrimSpace(mail); v != "" {
		return v, SourceMail, nil
	}
	return "", "", fmt.Errorf("%w: user has neither userPrincipalName nor mail", ErrNoValue)
}

// FormatValue builds the attribute value from a UPN (or mail) under s:
// lowercased when s.Lowercase is set, then "prefix:value" when the format is
// prefixed. The prefix keeps its case.
func FormatValue(s SyncSettings, value string) string {
	if s.Lowercase {
		value = strings.ToLower(value)
	}
	if s.ValueFormat == FormatPrefixed {
		return s.Prefix + ":" + value
	}
	return value
}

// equivalent reports whether an existing attribute value counts as the value
// to write under skipIfAlreadyPresent.
func equivalent(s SyncSettings, existing, want string) bool {
	if s.ValueFormat != FormatPrefixed {
		return strings.EqualFold(existing, want)
	}
	ep, ea, ok := strings.Cut(existing, ":")
	if !ok {
		return false
	}
	wp, wa, _ := strings.Cut(want, ":")
	if !strings.EqualFold(ea, wa) {
		return false
	}
	if s.TreatPrefixVariantsAsDuplicates {
		return strings.EqualFold(ep, wp)
	}
	return ep == wp
}

// Apply returns the attribute values after performing p on existing, as a
// directory would. It lets callers and tests check that a plan is
// idempotent, and shows what a dry run would leave behind.
func (p WritePlan) Apply(existing []string) []string {
	switch p.Action {
	case ActionAdd:
		return append(slices.Clone(existing), p.Value)
	case ActionReplace:
		return []string{p.Value}
	}
	return slices.Clone(existing)
}
