package upn

// seedExample is one of the five worked examples of the "Advanced UPN Sync
// Settings" panel: the panel settings and the JSON the panel saves. The
// specification wraps the JSON at about 118 characters; the documents below are the
// wrapped lines joined with no newline.
type seedExample struct {
	name string
	json string
	want Config // the panel settings of the example
}

// seedExamples returns the five worked examples of the panel.
func seedExamples() []seedExample {
	return []seedExample{
		{
			name: "example 1: feature disabled",
			json: `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`,
			want: Config{
				SchemaVersion:            1,
				MailFallbackOnMissingUpn: MailFallback{Enabled: false},
				SyncUpnToAdAttribute: SyncSettings{
					Enabled: false, TargetAttribute: "proxyAddresses", MultiValued: true,
					ValueFormat: FormatPrefixed, Prefix: "smtp", Lowercase: true,
					SkipIfAlreadyPresent: true, TreatPrefixVariantsAsDuplicates: true,
					OnWriteFailure: FailureWarn,
				},
			},
		},
		{
			name: "example 2: mail fallback only",
			json: `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`,
			want: Config{
				SchemaVersion:            1,
				MailFallbackOnMissingUpn: MailFallback{Enabled: true},
				SyncUpnToAdAttribute: SyncSettings{
					Enabled: false, TargetAttribute: "proxyAddresses", MultiValued: true,
					ValueFormat: FormatPrefixed, Prefix: "smtp", Lowercase: true,
					SkipIfAlreadyPresent: true, TreatPrefixVariantsAsDuplicates: true,
					OnWriteFailure: FailureWarn,
				},
			},
		},
		{
			name: "example 3: standard Exchange proxyAddresses sync",
			json: `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`,
			want: Config{
				SchemaVersion:            1,
				MailFallbackOnMissingUpn: MailFallback{Enabled: true},
				SyncUpnToAdAttribute: SyncSettings{
					Enabled: true, TargetAttribute: "proxyAddresses", MultiValued: true,
					ValueFormat: FormatPrefixed, Prefix: "smtp", Lowercase: true,
					SkipIfAlreadyPresent: true, TreatPrefixVariantsAsDuplicates: true,
					OnWriteFailure: FailureWarn,
				},
			},
		},
		{
			name: "example 4: plain write to extensionAttribute5, strict",
			json: `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"extensionAttribute5","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":false,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"error"}}`,
			want: Config{
				SchemaVersion:            1,
				MailFallbackOnMissingUpn: MailFallback{Enabled: false},
				SyncUpnToAdAttribute: SyncSettings{
					Enabled: true, TargetAttribute: "extensionAttribute5", MultiValued: false,
					ValueFormat: FormatPlain, Prefix: "smtp", Lowercase: false,
					SkipIfAlreadyPresent: true, TreatPrefixVariantsAsDuplicates: false,
					OnWriteFailure: FailureError,
				},
			},
		},
		{
			name: "example 5: write to mail, ignore failures",
			json: `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"mail","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"ignore"}}`,
			want: Config{
				SchemaVersion:            1,
				MailFallbackOnMissingUpn: MailFallback{Enabled: false},
				SyncUpnToAdAttribute: SyncSettings{
					Enabled: true, TargetAttribute: "mail", MultiValued: false,
					ValueFormat: FormatPlain, Prefix: "smtp", Lowercase: true,
					SkipIfAlreadyPresent: true, TreatPrefixVariantsAsDuplicates: false,
					OnWriteFailure: FailureIgnore,
				},
			},
		},
	}
}

// seedConfig returns the parsed Config of worked example n (1-based).
func seedConfig(n int) Config { return seedExamples()[n-1].want }
