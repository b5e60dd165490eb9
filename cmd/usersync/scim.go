package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

// runSCIM manages what a SCIM connection's client needs: `scim token
// create|list|revoke --connection NAME`.
func runSCIM(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "scim", args, subcommand{"token", func(ctx context.Context, e *env, args []string) error {
		return dispatch(ctx, e, "scim token", args,
			verb("create", runSCIMToken), verb("list", runSCIMToken), verb("revoke", runSCIMToken))
	}})
}

// runSCIMToken creates (printing the token once), lists or revokes the
// bearer tokens of a SCIM connection.
func runSCIMToken(ctx context.Context, e *env, verb string, args []string) error {
	fs := newFlags("scim token "+verb, e.stderr)
	conn := fs.String("connection", "", "the SCIM connection (required)")
	asJSON := fs.Bool("json", false, "list: print JSON")
	want, what := 1, "a token NAME"
	switch verb {
	case "list":
		want, what = 0, "no arguments"
	case "revoke":
		what = "a token NAME or id"
	}
	pos, err := fs.parse(args, want, what)
	if err != nil {
		return err
	}
	if *conn == "" {
		return fmt.Errorf("%w: scim token %s needs --connection NAME", errUsage, verb)
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	switch verb {
	case "create":
		tok, t, err := a.CreateSCIMToken(ctx, *conn, pos[0], "cli")
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, tok)
		fmt.Fprintf(e.stderr, "SCIM token %q of connection %q created; it is shown only this once. Give it to the SCIM client as its secret token, with the tenant URL https://HOST/scim/v2/%s\n",
			t.Name, t.Connection, t.Connection)
		return nil
	case "revoke":
		if err := a.RevokeSCIMToken(ctx, *conn, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "SCIM token %q of connection %q revoked\n", pos[0], *conn)
		return nil
	}
	ts, err := a.ListSCIMTokens(ctx, *conn)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeList(e.stdout, ts)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED")
	for _, t := range ts {
		used := "never"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", t.ID, termSafe(t.Name), t.CreatedAt.UTC().Format(time.RFC3339), used)
	}
	return tw.Flush()
}
