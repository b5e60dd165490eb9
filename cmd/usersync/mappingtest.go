package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/app"
)

// errExpressionFails reports that a tested expression fails for the entry:
// a sync would fail the user.
var errExpressionFails = errors.New("the expression fails for this entry")

func runMapping(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "mapping", args, subcommand{"test", mappingTest})
}

// mappingTest evaluates an expression against a real directory entry and
// shows each attribute it read and its result.
func mappingTest(ctx context.Context, e *env, args []string) error {
	fs := newFlags("mapping test", e.stderr)
	conn := fs.String("connection", "", "the connection whose directory holds the user (required)")
	user := fs.String("user", "", "the user: userId, UPN, login, mail or cn (required)")
	target := fs.String("target", "", "the application field, to check SelectUniqueValue's candidates against the stored users")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.parse(args, 1, "one EXPRESSION (quote it), such as 'Join(\" \", [givenName], [sn])'")
	if err != nil {
		return err
	}
	if *conn == "" || *user == "" {
		return fmt.Errorf("%w: mapping test needs --connection NAME and --user WHO", errUsage)
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.TestExpression(ctx, *conn, *user, *target, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(e.stdout, res); err != nil {
			return err
		}
	} else {
		printExpressionTest(e.stdout, res)
	}
	if res.Error != "" {
		return fmt.Errorf("%w: %s", errExpressionFails, res.Error)
	}
	return nil
}

func printExpressionTest(w io.Writer, res app.ExpressionTest) {
	fmt.Fprintf(w, "entry %s\n", termSafe(res.DN))
	for _, rd := range res.Reads {
		fmt.Fprintf(w, "  read [%s] = %s\n", termSafe(rd.Name), quoteValues(rd.Values))
	}
	switch {
	case res.Error != "":
		fmt.Fprintf(w, "fails: %s\n", termSafe(res.Error))
	case res.IgnoreFlow:
		fmt.Fprintln(w, "result: no value; the mapping leaves its field untouched (IgnoreFlowIfNullOrEmpty)")
	case res.Null:
		fmt.Fprintln(w, "result: null (no value)")
	default:
		fmt.Fprintf(w, "result: %s\n", quoteValues(res.Values))
	}
}

// quoteValues prints values quoted: "(absent)" for none, one quoted value,
// or a bracketed list.
func quoteValues(vals []string) string {
	if len(vals) == 0 {
		return "(absent)"
	}
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = termSafe(strconv.Quote(v))
	}
	if len(q) == 1 {
		return q[0]
	}
	return "[" + strings.Join(q, ", ") + "]"
}
