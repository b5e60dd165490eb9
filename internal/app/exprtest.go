package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/mapping/expr"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// ErrEntryNotFound is returned when no directory entry matches the user an
// expression is tested on.
var ErrEntryNotFound = errors.New("no directory entry found")

// ExpressionTest is an expression evaluated against one real directory
// entry: what it read and what it gave.
type ExpressionTest struct {
	Connection string `json:"connection"`
	DN         string `json:"dn"`
	// Reads are the attributes the evaluation read, in order, with the
	// values it found; an attribute in a branch not taken is not read.
	Reads []expr.Read `json:"reads"`
	// Values is the result: none for null, one for a single value, several
	// for a list.
	Values []string `json:"values"`
	// Null says the result is null; IgnoreFlow that a mapping would leave
	// its field untouched (IgnoreFlowIfNullOrEmpty).
	Null       bool `json:"null"`
	IgnoreFlow bool `json:"ignoreFlow"`
	// Error is why the evaluation failed, if it did: the user would fail.
	Error string `json:"error,omitempty"`
}

// TestExpression evaluates expression against the entry of connection
// conn found by who (userId, UPN, login, mail or cn, without the
// connection's filter) and writes nothing. With a target field, a
// SelectUniqueValue is checked against the stored users' values of that
// field; without one it reports that no check is available. A bad
// expression is an error naming the field "expression".
func (a *App) TestExpression(ctx context.Context, conn, who, target, expression string) (ExpressionTest, error) {
	out := ExpressionTest{Connection: conn}
	who = strings.TrimSpace(who)
	if who == "" {
		return out, fieldErrorf("user", "user is required: a userId, UPN, login, mail or cn")
	}
	e, err := expr.Parse(expression)
	if err != nil {
		return out, &FieldError{Field: "expression", Msg: "expression: " + err.Error(), Err: err}
	}
	d, err := a.OpenDirectory(ctx, conn)
	if err != nil {
		return out, err
	}
	defer d.Close()
	entry, err := findEntry(ctx, d, who, e.References()...)
	if err != nil {
		return out, fmt.Errorf("test expression: search %s: %w", conn, err)
	}
	if entry == nil {
		return out, fmt.Errorf("test expression: %w for %q under %s: %w", ErrEntryNotFound, who, d.Conn.SearchPath, store.ErrNotFound)
	}
	out.DN = entry.DN
	rec := &expr.Recorder{Attrs: entryValues{entry.Attrs}}
	var opt expr.Options
	if target = strings.TrimSpace(target); target != "" {
		opt.Unique = fieldClaims{u: reconcile.StoreUniqueness(ctx, a.Store, conn, entry.Get(d.Job.LinkingKey)), field: target}
	}
	v, err := e.EvalWith(rec, opt)
	out.Reads = rec.Reads
	if err != nil {
		out.Error = err.Error()
		return out, nil
	}
	out.Values, out.Null, out.IgnoreFlow = v.Strings(), v.IsNull(), v.IgnoreFlow()
	return out, nil
}

// entryValues reads a directory entry's attributes case-insensitively.
type entryValues struct{ attrs map[string][]string }

func (e entryValues) Values(name string) []string { return expr.Map(e.attrs).Values(name) }

// fieldClaims checks SelectUniqueValue's candidates in one field.
type fieldClaims struct {
	u interface {
		Claim(field, value string) (bool, error)
	}
	field string
}

func (f fieldClaims) Claim(value string) (bool, error) { return f.u.Claim(f.field, value) }
