package upn

import (
	"bytes"
	"encoding/json"
)

// SchemaVersion is the only configureTwo schema version this package reads
// and writes.
const SchemaVersion = 1

// Config is the configureTwo document: the "Advanced UPN Sync Settings" of a
// relying-party LDAP connection (schema version 1).
//
// The field order matches the document's key order, so Marshal reproduces
// the panel's JSON byte for byte.
type Config struct {
	// SchemaVersion is the document's schema version; only 1 is valid.
	SchemaVersion int `json:"schemaVersion"`
	// MailFallbackOnMissingUpn makes sync use the mail attribute when a user
	// has no userPrincipalName.
	MailFallbackOnMissingUpn MailFallback `json:"mailFallbackOnMissingUpn"`
	// SyncUpnToAdAttribute controls writing the UPN into a directory attribute.
	SyncUpnToAdAttribute SyncSettings `json:"syncUpnToAdAttribute"`
}

// MailFallback is the "Mail fallback on missing UPN" toggle.
type MailFallback struct {
	// Enabled turns the fallback on.
	Enabled bool `json:"enabled"`
}

// SyncSettings is the "Sync UPN to AD attribute" group of the panel.
type SyncSettings struct {
	// Enabled turns the write-back on.
	Enabled bool `json:"enabled"`
	// TargetAttribute is the LDAP attribute written, such as proxyAddresses.
	TargetAttribute string `json:"targetAttribute"`
	// MultiValued says the target attribute holds several values: the value
	// is added and other values are never removed. When false the value
	// replaces the attribute's single value.
	MultiValued bool `json:"multiValued"`
	// ValueFormat is prefixed ("prefix:value") or plain.
	ValueFormat ValueFormat `json:"valueFormat"`
	// Prefix is put before the value, followed by ':', when ValueFormat is
	// prefixed. It is kept (and marshalled) even when the format is plain.
	Prefix string `json:"prefix"`
	// Lowercase lowercases the value (never the prefix) before writing.
	Lowercase bool `json:"lowercase"`
	// SkipIfAlreadyPresent writes nothing when an equivalent value exists.
	SkipIfAlreadyPresent bool `json:"skipIfAlreadyPresent"`
	// TreatPrefixVariantsAsDuplicates makes "SMTP:a@b" and "smtp:a@b" count
	// as the same value.
	TreatPrefixVariantsAsDuplicates bool `json:"treatPrefixVariantsAsDuplicates"`
	// OnWriteFailure is the reaction to a failed write.
	OnWriteFailure OnWriteFailure `json:"onWriteFailure"`
}

// Default returns the document the panel saves when both toggles are off.
// Keys missing from a parsed document take these
// values.
func Default() Config {
	return Config{
		SchemaVersion:            SchemaVersion,
		MailFallbackOnMissingUpn: MailFallback{Enabled: false},
		SyncUpnToAdAttribute: SyncSettings{
			Enabled:                         false,
			TargetAttribute:                 "proxyAddresses",
			MultiValued:                     true,
			ValueFormat:                     FormatPrefixed,
			Prefix:                          "smtp",
			Lowercase:                       true,
			SkipIfAlreadyPresent:            true,
			TreatPrefixVariantsAsDuplicates: true,
			OnWriteFailure:                  FailureWarn,
		},
	}
}

// Marshal returns the compact JSON document, with keys in the panel's order
// and no insignificant white space, exactly as the panel saves it.
func (c Config) Marshal() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Encoding a struct of strings, bools and an int cannot fail.
	if err := enc.Encode(c); err != nil {
		panic("upn: marshal config: " + err.Error())
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// SyncEnabled reports whether the document asks for any write-back.
func (c Config) SyncEnabled() bool { return c.SyncUpnToAdAttribute.Enabled }
