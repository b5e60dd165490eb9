package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// connectionConfigureTwo prints a relying party's configureTwo document
// (its Advanced UPN Sync Settings) or, with --set -f FILE,
// replaces it after validating it.
func connectionConfigureTwo(ctx context.Context, e *env, args []string) error {
	fs := newFlags("connection configure-two", e.stderr)
	set := fs.Bool("set", false, "replace the document with the one in -f FILE")
	file := fs.String("f", "", "the configureTwo JSON document with --set; - reads standard input")
	pos, err := fs.parse(args, 1, "a connection NAME [--set -f FILE]")
	if err != nil {
		return err
	}
	if *set != (*file != "") {
		return fmt.Errorf("%w: connection configure-two: --set and -f FILE go together", errUsage)
	}
	var doc []byte
	if *set {
		if *file == "-" {
			doc, err = io.ReadAll(e.stdin)
		} else {
			doc, err = os.ReadFile(*file)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if *set {
		c, err := a.SetConfigureTwo(ctx, pos[0], doc)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, c.ConfigureTwo)
		return nil
	}
	out, err := a.ConfigureTwo(ctx, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, out)
	return nil
}
