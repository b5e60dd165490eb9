package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestMappingTestExpression: `usersync mapping test` evaluates an expression
// against a real slapd entry, shows each attribute it read and the result,
// and reports a bad expression (exit code 2, bad input), a missing user
// and a failing expression (exit code 1) with a clear message.
func TestMappingTestExpression(t *testing.T) {
	srv := slapd.StartLDIF(t, []byte("dn: uid=zoe,"+slapd.PeopleDN+"\nobjectClass: inetOrgPerson\nuid: zoe\ncn: Zoë Ünal\ngivenName: Zoë\nsn: Ünal\n\n"))
	c := newCLI(t)
	c.apply(connDoc(srv))
	const upn = `ToLower(Join("@", NormalizeDiacritics(Join(".", [givenName], [sn], [middleName])), "contoso.com"))`
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"reads and result", []string{"--user", "zoe", upn}, 0,
			[]string{"entry uid=zoe,", `read [givenName] = "Zoë"`, `read [sn] = "Ünal"`, `read [middleName] = (absent)`, `result: "zoe.unal@contoso.com"`}},
		{"branch not taken is not read", []string{"--user", "zoe", `IIF(IsPresent([givenName]), [givenName], [mail])`}, 0,
			[]string{`read [givenName] = "Zoë"`, `result: "Zoë"`}},
		{"ignored flow", []string{"--user", "zoe", `IgnoreFlowIfNullOrEmpty([department])`}, 0,
			[]string{"leaves its field untouched"}},
		{"failing expression", []string{"--user", "zoe", `IIF(IsPresent([mail]), [mail], Error("mail is required"))`}, 1,
			[]string{"fails:", "mail is required"}},
		{"bad expression", []string{"--user", "zoe", `Join(",", [a]`}, 2,
			[]string{"expression:", "column"}},
		{"unknown user", []string{"--user", "nobody", `[cn]`}, 1,
			[]string{"no directory entry found", "nobody"}},
		{"unknown function suggests", []string{"--user", "zoe", `Swtich([a], "", "x", "y")`}, 2,
			[]string{"did you mean Switch?"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, code := c.run(append([]string{"mapping", "test", "--connection", "corp"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d: %s", code, tc.wantCode, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Fatalf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if out, code := c.run("mapping", "test", "--user", "zoe", "[cn]"); code == 0 || !strings.Contains(out, "--connection") {
		t.Fatalf("without --connection: %d %s", code, out)
	}
	out, code := c.run("mapping", "test", "--connection", "corp", "--user", "zoe", "--json", `Split([cn], " ")`)
	var res app.ExpressionTest
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res.Values) != 2 || res.Values[0] != "Zoë" || len(res.Reads) != 1 {
		t.Fatalf("--json = %d %s", code, out)
	}
}
