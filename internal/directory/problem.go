package directory

// ProblemKind classifies a Problem so that callers (the CLI's exit code, the
// API's status) can react without parsing messages.
type ProblemKind string

// Problem kinds.
const (
	KindConfig      ProblemKind = "config"
	KindUnreachable ProblemKind = "unreachable"
	KindTLS         ProblemKind = "tls"
	KindCredentials ProblemKind = "credentials"
	KindAccount     ProblemKind = "account"
	KindSearchBase  ProblemKind = "searchBase"
	KindFilter      ProblemKind = "filter"
	KindLimit       ProblemKind = "limit"
	KindDirectory   ProblemKind = "directory"
	// KindPermission means the bound account may not do what the
	// connection needs, or the schema lacks an attribute it names.
	KindPermission ProblemKind = "permission"
)

// Problem is one failure talking to a directory, with a message an operator
// can act on: it names the host, the certificate or the field at fault.
type Problem struct {
	Kind  ProblemKind
	Field string // the connection field at fault, when there is one
	// Code is Active Directory's bind sub-code ("52e", "533", "775"...)
	// when the server sent one.
	Code string
	Msg  string
	Err  error
}

func (p *Problem) Error() string { return p.Msg }

// Unwrap returns the underlying error.
func (p *Problem) Unwrap() error { return p.Err }
