package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// buildVersion describes the binary from the build information the Go
// toolchain embeds: the module version (a tag for `go install mod@v1.2.3`,
// "(devel)" for a build from a checkout), and the VCS revision, its time and
// whether the work tree had uncommitted changes, when the build saw a VCS.
type buildVersion struct {
	Module    string `json:"module"`
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Time      string `json:"time,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// readVersion reads the build information; a binary built without it (a
// test binary, or one built outside module mode) reports "(devel)".
func readVersion(read func() (*debug.BuildInfo, bool)) buildVersion {
	v := buildVersion{Version: "(devel)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := read()
	if !ok || bi == nil {
		return v
	}
	v.Module = bi.Main.Path
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one line `usersync version` prints, such as
// "usersync v1.2.0 (3763a56c1d2e, 2026-12-02T06:00:00Z) go1.26.8 linux/amd64".
func (v buildVersion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "usersync %s", v.Version)
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if v.Modified {
			rev += "+modified"
		}
		if v.Time != "" {
			rev += ", " + v.Time
		}
		fmt.Fprintf(&b, " (%s)", rev)
	}
	fmt.Fprintf(&b, " %s %s", v.GoVersion, v.Platform)
	return b.String()
}

// runVersion prints the version line, or with --json the fields.
func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags("version", e.stderr)
	asJSON := fs.Bool("json", false, "print the build information as JSON")
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	v := readVersion(debug.ReadBuildInfo)
	if *asJSON {
		return writeJSON(e.stdout, v)
	}
	fmt.Fprintln(e.stdout, v.String())
	return nil
}
