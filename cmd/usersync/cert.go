package main

import (
	"context"
	"fmt"
	"io"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/certmap"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/writeback"
)

func runCert(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "cert", args, subcommand{"list", certList},
		verb("add", certAddOrRevoke), verb("revoke", certAddOrRevoke))
}

// certAddOrRevoke is `cert add` (enroll and write the mapping) and `cert
// revoke` (remove the mappings usersync wrote for the certificate).
func certAddOrRevoke(ctx context.Context, e *env, verb string, args []string) error {
	add := verb == "add"
	name := "cert revoke"
	if add {
		name = "cert add"
	}
	fs := newFlags(name, e.stderr)
	conn := fs.String("connection", "", "the relying-party connection")
	user := fs.String("user", "", "the usersync userId")
	file := fs.String("f", "", "the certificate, PEM or DER; - reads standard input")
	formName := fs.String("form", string(certmap.FormIssuerSerial), "mapping form: issuerSerial, ski or sha1PublicKey (add only)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := fs.parse(args, 0, "--connection NAME --user USERID -f CERT.pem"); err != nil {
		return err
	}
	if *conn == "" || *user == "" || *file == "" {
		return fmt.Errorf("%w: %s needs --connection NAME --user USERID -f CERT.pem", errUsage, name)
	}
	form, err := certmap.ParseForm(*formName)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	data, err := readInput(e, *file)
	if err != nil {
		return err
	}
	return fs.withApp(ctx, e, func(a *app.App) error {
		var res writeback.Enrollment
		if add {
			res, err = a.EnrollCertificate(ctx, *conn, *user, data, form)
		} else {
			res, err = a.RevokeCertificate(ctx, *conn, *user, data)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, res)
		}
		printEnrollment(e.stdout, res)
		return nil
	})
}

func printEnrollment(w io.Writer, res writeback.Enrollment) {
	for _, c := range res.Certificates {
		fmt.Fprintf(w, "certificate %d of %s: %s, %s\n", c.ID, c.UserID, c.Status, c.Mapping)
	}
	if len(res.Changes) == 0 {
		fmt.Fprintf(w, "  %s: altSecurityIdentities already as it should be; nothing written\n", res.DN)
	}
	for _, ch := range res.Changes {
		if ch.New != "" {
			fmt.Fprintf(w, "  %s: added to %s: %s\n", res.DN, ch.Field, ch.New)
		} else {
			fmt.Fprintf(w, "  %s: removed from %s: %s\n", res.DN, ch.Field, ch.Old)
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func certList(ctx context.Context, e *env, args []string) error {
	fs := newFlags("cert list", e.stderr)
	conn := fs.String("connection", "", "only this relying-party connection")
	user := fs.String("user", "", "only this usersync userId")
	status := fs.String("status", "", "only active or revoked certificates")
	return listCommand(ctx, e, fs, args,
		func(a *app.App) ([]store.Certificate, error) {
			return a.ListCertificates(ctx, store.CertificateQuery{Connection: *conn, UserID: *user, Status: *status})
		},
		tableOf(func(c store.Certificate) []any {
			return []any{c.ID, c.Connection, c.UserID, c.Status, c.Owned(), c.Mapping}
		}, "ID", "CONNECTION", "USER", "STATUS", "OWNED", "MAPPING"))
}
