package main

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

// TestReadVersion: the version comes from the build information (the module
// version, the VCS revision and time), and a binary without it, or built
// from a checkout, says "(devel)" rather than nothing.
func TestReadVersion(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "usersync (devel) "},
		{"checkout without VCS", &debug.BuildInfo{Main: debug.Module{Path: "github.com/usersync/usersync", Version: "(devel)"}}, true, "usersync (devel) "},
		{"empty module version", &debug.BuildInfo{Main: debug.Module{Path: "github.com/usersync/usersync"}}, true, "usersync (devel) "},
		{"tagged with VCS", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "3763a56c1d2e8f90aabbccddeeff001122334455"},
			{Key: "vcs.time", Value: "2026-12-02T06:00:00Z"},
			{Key: "vcs.modified", Value: "false"},
		}}, true, "usersync v1.4.0 (3763a56c1d2e, 2026-12-02T06:00:00Z) "},
		{"modified work tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"},
			{Key: "vcs.modified", Value: "true"},
		}}, true, "usersync (devel) (abc+modified) "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := readVersion(func() (*debug.BuildInfo, bool) { return tt.bi, tt.ok })
			if got := v.String(); !strings.HasPrefix(got, tt.want) || !strings.Contains(got, v.Platform) {
				t.Errorf("got %q, want it to start with %q and name the platform", got, tt.want)
			}
		})
	}
}

// TestVersionCommand: `usersync version`, `--version` and `version --json`
// print the same build information; an argument is a usage error.
func TestVersionCommand(t *testing.T) {
	c := newCLI(t)
	out, code := c.run("version")
	if code != 0 || !strings.HasPrefix(out, "usersync ") {
		t.Fatalf("version: exit %d %q", code, out)
	}
	if out2, code := c.run("--version"); code != 0 || out2 != out {
		t.Errorf("--version: exit %d %q, want %q", code, out2, out)
	}
	js, code := c.run("version", "--json")
	var v buildVersion
	if code != 0 || json.Unmarshal([]byte(js), &v) != nil || v.Version == "" || v.GoVersion == "" {
		t.Errorf("version --json: exit %d %q", code, js)
	}
	if _, code := c.run("version", "extra"); code != exitUsage {
		t.Errorf("version extra: exit %d, want %d", code, exitUsage)
	}
}
