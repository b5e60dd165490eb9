package upn

import "fmt"

// OnWriteFailure says how a sync run reacts when writing the UPN back to the
// directory fails for one user.
type OnWriteFailure string

// The onWriteFailure values the configureTwo document accepts.
const (
	// FailureWarn records a warning for the user and lets the run continue.
	FailureWarn OnWriteFailure = "warn"
	// FailureError records an error and makes the run fail.
	FailureError OnWriteFailure = "error"
	// FailureIgnore drops the failure silently; the run continues.
	FailureIgnore OnWriteFailure = "ignore"
)

// OnWriteFailures lists every valid OnWriteFailure value, in the order the
// panel shows them.
var OnWriteFailures = []OnWriteFailure{FailureWarn, FailureError, FailureIgnore}

// ParseOnWriteFailure returns the OnWriteFailure named by s, which must be
// exactly one of "warn", "error" or "ignore".
func ParseOnWriteFailure(s string) (OnWriteFailure, error) {
	p := OnWriteFailure(s)
	if !p.Valid() {
		return "", fmt.Errorf("upn: unknown onWriteFailure %q: want warn, error or ignore", s)
	}
	return p, nil
}

// Valid reports whether p is one of the documented values.
func (p OnWriteFailure) Valid() bool {
	switch p {
	case FailureWarn, FailureError, FailureIgnore:
		return true
	}
	return false
}

// FailsRun reports whether a write failure under this policy makes the whole
// run fail.
func (p OnWriteFailure) FailsRun() bool { return p == FailureError }

// Reported reports whether a write failure under this policy is recorded in
// the run report (as a warning or an error).
func (p OnWriteFailure) Reported() bool { return p == FailureWarn || p == FailureError }

// String returns the JSON spelling of p.
func (p OnWriteFailure) String() string { return string(p) }

// ValueFormat says how the written value is built from the UPN.
type ValueFormat string

// The valueFormat values the configureTwo document accepts.
const (
	// FormatPrefixed writes "prefix:value", such as "smtp:jane@example.test".
	FormatPrefixed ValueFormat = "prefixed"
	// FormatPlain writes the value as it is.
	FormatPlain ValueFormat = "plain"
)

// Valid reports whether f is one of the documented values.
func (f ValueFormat) Valid() bool { return f == FormatPrefixed || f == FormatPlain }

// String returns the JSON spelling of f.
func (f ValueFormat) String() string { return string(f) }
