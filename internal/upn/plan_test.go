package upn

import (
	"errors"
	"slices"
	"testing"
)

func TestPlanWriteSeedExamples(t *testing.T) {
	tests := []struct {
		name      string
		example   int
		upn, mail string
		existing  []string
		action    Action
		value     string
		source    Source
		reason    Reason
		kept      string
	}{
		// Examples 1 and 2: sync off, nothing is ever written.
		{name: "ex1 sync off", example: 1, upn: "jane.doe@example.test", action: ActionNone, reason: ReasonSyncDisabled},
		{name: "ex1 sync off, no names", example: 1, action: ActionNone, reason: ReasonSyncDisabled},
		{name: "ex2 sync off", example: 2, mail: "jane@example.test", action: ActionNone, reason: ReasonSyncDisabled},

		// Example 3: proxyAddresses, smtp prefix, lowercase, prefix variants are duplicates.
		{name: "ex3 primary SMTP variant present", example: 3, upn: "jane.doe@example.test",
			existing: []string{"SMTP:Jane.Doe@example.test"}, action: ActionNone,
			value: "smtp:jane.doe@example.test", source: SourceUPN, reason: ReasonAlreadyPresent},
		{name: "ex3 none present", example: 3, upn: "Jane.Doe@Example.test",
			action: ActionAdd, value: "smtp:jane.doe@example.test", source: SourceUPN},
		{name: "ex3 others kept", example: 3, upn: "jane.doe@example.test",
			existing: []string{"SMTP:jane@example.org", "X500:/o=Org/cn=jane"},
			action:   ActionAdd, value: "smtp:jane.doe@example.test", source: SourceUPN},
		{name: "ex3 unprefixed equal is not the same value", example: 3, upn: "jane.doe@example.test",
			existing: []string{"jane.doe@example.test"}, action: ActionAdd, value: "smtp:jane.doe@example.test", source: SourceUPN},
		{name: "ex3 mail fallback", example: 3, mail: "J.Doe@Example.test",
			action: ActionAdd, value: "smtp:j.doe@example.test", source: SourceMail},
		{name: "ex3 mail fallback already present", example: 3, mail: "j.doe@example.test",
			existing: []string{"smtp:J.DOE@EXAMPLE.TEST"}, action: ActionNone,
			value: "smtp:j.doe@example.test", source: SourceMail, reason: ReasonAlreadyPresent},

		// Example 4: extensionAttribute5, single-valued, plain, case kept.
		{name: "ex4 empty attribute", example: 4, upn: "Jane.Doe@example.test",
			action: ActionReplace, value: "Jane.Doe@example.test", source: SourceUPN},
		{name: "ex4 other value kept", example: 4, upn: "Jane.Doe@example.test",
			existing: []string{"old@example.test"}, action: ActionNone, value: "Jane.Doe@example.test", source: SourceUPN,
			reason: ReasonHasValue, kept: "old@example.test"},
		{name: "ex4 equal ignoring case skipped", example: 4, upn: "Jane.Doe@example.test",
			existing: []string{"jane.doe@EXAMPLE.test"}, action: ActionNone,
			value: "Jane.Doe@example.test", source: SourceUPN, reason: ReasonAlreadyPresent},
		{name: "ex4 prefix not added though kept", example: 4, upn: "a@b.test",
			action: ActionReplace, value: "a@b.test", source: SourceUPN},

		// Example 5: mail, single-valued, plain, lowercase.
		{name: "ex5 empty mail filled", example: 5, upn: "Jane.Doe@Example.test",
			action: ActionReplace, value: "jane.doe@example.test", source: SourceUPN},
		{name: "ex5 same mail skipped", example: 5, upn: "Jane.Doe@Example.test",
			existing: []string{"Jane.Doe@example.test"}, action: ActionNone,
			value: "jane.doe@example.test", source: SourceUPN, reason: ReasonAlreadyPresent},
		{name: "ex5 other mail kept", example: 5, upn: "Carl.Five@example.test",
			existing: []string{"carl.personal@corp.test"}, action: ActionNone,
			value: "carl.five@example.test", source: SourceUPN, reason: ReasonHasValue, kept: "carl.personal@corp.test"},
		{name: "ex5 empty string is no value", example: 5, upn: "Carl.Five@example.test",
			existing: []string{""}, action: ActionReplace, value: "carl.five@example.test", source: SourceUPN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := seedConfig(tt.example)
			got, err := PlanWrite(cfg, tt.upn, tt.mail, tt.existing)
			if err != nil {
				t.Fatalf("PlanWrite: %v", err)
			}
			want := WritePlan{
				Action: tt.action, Attribute: cfg.SyncUpnToAdAttribute.TargetAttribute,
				Value: tt.value, Source: tt.source, Reason: tt.reason, Kept: tt.kept,
				OnFailure: cfg.SyncUpnToAdAttribute.OnWriteFailure,
			}
			if got != want {
				t.Errorf("PlanWrite\n got %+v\nwant %+v", got, want)
			}
			assertIdempotent(t, cfg, tt.upn, tt.mail, tt.existing, got)
		})
	}
}

func TestPlanWritePrefixCase(t *testing.T) {
	strict := seedConfig(3)
	strict.SyncUpnToAdAttribute.TreatPrefixVariantsAsDuplicates = false
	noSkip := seedConfig(3)
	noSkip.SyncUpnToAdAttribute.SkipIfAlreadyPresent = false
	upper := seedConfig(3)
	upper.SyncUpnToAdAttribute.Prefix = "SMTP"
	upper.SyncUpnToAdAttribute.Lowercase = false

	tests := []struct {
		name     string
		cfg      Config
		existing []string
		action   Action
		value    string
	}{
		{"variants distinct: SMTP does not match smtp", strict, []string{"SMTP:Jane.Doe@example.test"}, ActionAdd, "smtp:jane.doe@example.test"},
		{"variants distinct: address case ignored", strict, []string{"smtp:JANE.DOE@example.test"}, ActionNone, "smtp:jane.doe@example.test"},
		{"no skip: variant does not count", noSkip, []string{"SMTP:Jane.Doe@example.test"}, ActionAdd, "smtp:jane.doe@example.test"},
		{"no skip: identical value not added twice", noSkip, []string{"smtp:jane.doe@example.test"}, ActionNone, "smtp:jane.doe@example.test"},
		{"prefix case kept, value case kept", upper, nil, ActionAdd, "SMTP:Jane.Doe@example.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PlanWrite(tt.cfg, "Jane.Doe@example.test", "", tt.existing)
			if err != nil {
				t.Fatal(err)
			}
			if got.Action != tt.action || got.Value != tt.value {
				t.Errorf("got %v %q, want %v %q", got.Action, got.Value, tt.action, tt.value)
			}
			assertIdempotent(t, tt.cfg, "Jane.Doe@example.test", "", tt.existing, got)
		})
	}
}

func TestPlanWriteSingleValuedWithoutSkip(t *testing.T) {
	cfg := seedConfig(5)
	cfg.SyncUpnToAdAttribute.SkipIfAlreadyPresent = false
	for _, tt := range []struct {
		existing []string
		action   Action
	}{
		{[]string{"jane.doe@example.test"}, ActionNone},
		{[]string{"Jane.Doe@example.test"}, ActionReplace},   // lowercase asked for, so case is fixed
		{[]string{"carl.personal@corp.test"}, ActionReplace}, // skip off: another value is replaced
		{nil, ActionReplace},
	} {
		got, err := PlanWrite(cfg, "Jane.Doe@example.test", "", tt.existing)
		if err != nil || got.Action != tt.action {
			t.Errorf("existing %q: got %v, %v; want %v", tt.existing, got.Action, err, tt.action)
		}
		assertIdempotent(t, cfg, "Jane.Doe@example.test", "", tt.existing, got)
	}
}

func TestPlanWriteRefusesToReplaceSeveralValues(t *testing.T) {
	cfg := seedConfig(5)
	cfg.SyncUpnToAdAttribute.TargetAttribute = "proxyAddresses"
	cfg.SyncUpnToAdAttribute.SkipIfAlreadyPresent = false
	_, err := PlanWrite(cfg, "Jane.Doe@example.test", "", []string{"SMTP:jane@corp.test", "X500:/o=Org/cn=jane"})
	if !errors.Is(err, ErrSeveralValues) {
		t.Fatalf("err = %v, want ErrSeveralValues", err)
	}
	// With skip on, any value there is kept, so nothing fails.
	cfg.SyncUpnToAdAttribute.SkipIfAlreadyPresent = true
	got, err := PlanWrite(cfg, "Jane.Doe@example.test", "", []string{"SMTP:jane@corp.test", "X500:/o=Org/cn=jane"})
	if err != nil || got.Reason != ReasonHasValue || got.Kept != "SMTP:jane@corp.test" {
		t.Fatalf("skip on: %+v, %v", got, err)
	}
}

func TestPlanWriteErrors(t *testing.T) {
	noFallback := seedConfig(4)
	bad := seedConfig(3)
	bad.SyncUpnToAdAttribute.OnWriteFailure = "explode"
	tests := []struct {
		name      string
		cfg       Config
		upn, mail string
		wantErr   error
	}{
		{"neither upn nor mail", seedConfig(3), "", "", ErrNoValue},
		{"blank upn and mail", seedConfig(3), "  ", " ", ErrNoValue},
		{"no upn, fallback off", noFallback, "", "jane@example.test", ErrNoValue},
		{"invalid config", bad, "jane@example.test", "", ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PlanWrite(tt.cfg, tt.upn, tt.mail, nil)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("PlanWrite error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestActionString(t *testing.T) {
	for a, want := range map[Action]string{ActionNone: "none", ActionAdd: "add", ActionReplace: "replace", Action(9): "Action(9)"} {
		if a.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(a), a.String(), want)
		}
	}
}

func TestOnWriteFailure(t *testing.T) {
	for _, p := range OnWriteFailures {
		got, err := ParseOnWriteFailure(p.String())
		if err != nil || got != p {
			t.Errorf("ParseOnWriteFailure(%q) = %q, %v", p, got, err)
		}
	}
	if _, err := ParseOnWriteFailure("Warn"); err == nil {
		t.Error(`ParseOnWriteFailure("Warn") succeeded; values are case-sensitive`)
	}
	if !FailureError.FailsRun() || FailureWarn.FailsRun() || FailureIgnore.FailsRun() {
		t.Error("only error fails the run")
	}
	if !FailureWarn.Reported() || !FailureError.Reported() || FailureIgnore.Reported() {
		t.Error("warn and error are reported, ignore is not")
	}
}

// assertIdempotent applies plan to existing and checks that planning again
// writes nothing and that a multi-valued write kept every other value.
func assertIdempotent(t *testing.T, cfg Config, upn, mail string, existing []string, plan WritePlan) {
	t.Helper()
	after := plan.Apply(existing)
	if cfg.SyncUpnToAdAttribute.MultiValued {
		for _, v := range existing {
			if !slices.Contains(after, v) {
				t.Errorf("multi-valued write removed %q", v)
			}
		}
	}
	again, err := PlanWrite(cfg, upn, mail, after)
	if err != nil {
		t.Fatalf("re-plan: %v", err)
	}
	if again.Action != ActionNone {
		t.Errorf("not idempotent: after %v, re-plan on %q gives %v %q", plan.Action, after, again.Action, again.Value)
	}
}
