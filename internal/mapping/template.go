package mapping

import (
	"strings"
	"time"
)

// Template is a provisioning template (a user provisioning rule, or user
// preferences): defaults applied only when a user is
// created. A mapped value wins over a default, except the extension: when
// both an extension mapping and a template extension exist, the template's
// wins.
type Template struct {
	TimeZone          string `json:"timeZone,omitempty"`
	SystemOfMeasure   string `json:"systemOfMeasure,omitempty"`
	Culture           string `json:"culture,omitempty"`
	Language          string `json:"language,omitempty"`
	ExtensionType     string `json:"extensionType,omitempty"`
	ExtensionTemplate string `json:"extensionTemplate,omitempty"`
	Extension         string `json:"extension,omitempty"`
}

// Systems of measure a template accepts.
const (
	SystemMetric   = "metric"
	SystemImperial = "imperial"
)

// fields returns the template's non-empty defaults as application fields.
func (t *Template) fields() []Field {
	if t == nil {
		return nil
	}
	var out []Field
	for _, f := range []Field{
		{Name: "timeZone", Value: t.TimeZone},
		{Name: "systemOfMeasure", Value: t.SystemOfMeasure},
		{Name: "culture", Value: t.Culture},
		{Name: "language", Value: t.Language},
		{Name: "extensionType", Value: t.ExtensionType},
		{Name: "extensionTemplate", Value: t.ExtensionTemplate},
		{Name: FieldExtension, Value: t.Extension},
	} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

func (t *Template) validate(add func(field, format string, args ...any)) {
	if t.TimeZone != "" {
		if _, err := time.LoadLocation(t.TimeZone); err != nil || strings.EqualFold(t.TimeZone, "local") {
			add("template.timeZone", "must be an IANA time zone such as Europe/Rome, got %q", t.TimeZone)
		}
	}
	switch t.SystemOfMeasure {
	case "", SystemMetric, SystemImperial:
	default:
		add("template.systemOfMeasure", "must be %q or %q, got %q", SystemMetric, SystemImperial, t.SystemOfMeasure)
	}
	if t.Culture != "" && !isLanguageTag(t.Culture) {
		add("template.culture", "must be a language tag such as en-US, got %q", t.Culture)
	}
	if t.Language != "" && !isLanguageTag(t.Language) {
		add("template.language", "must be a language tag such as en or it-IT, got %q", t.Language)
	}
	if t.Extension != "" && !isPhone(t.Extension) {
		add("template.extension", "must be an extension number, got %q", t.Extension)
	}
}
