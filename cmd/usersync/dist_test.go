package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/ops"
)

// distFile reads a file of the repository's dist directory.
func distFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "dist", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// needTool finds a program the test needs; without it the test fails when
// USERSYNC_INTEGRATION=1 (CI installs it) and is skipped otherwise.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("USERSYNC_INTEGRATION") == "1" {
			t.Fatalf("%s is not installed (Debian package %s; ci/install-ops.sh installs it)", name, pkg)
		}
		t.Skipf("%s is not installed (Debian package %s)", name, pkg)
	}
	return p
}

// TestSystemdUnitVerifies: dist/usersync.service has the usual hardening
// (its own dynamic user, a read-only system, a state directory, no new
// privileges, no capabilities, only IP and Unix sockets, the system-service
// call set) and `systemd-analyze verify` finds nothing in it; `systemd-analyze
// security` rates its exposure at most 2.0 (of 10).
func TestSystemdUnitVerifies(t *testing.T) {
	unit := distFile(t, "usersync.service")
	for _, want := range []string{
		"DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=usersync", "NoNewPrivileges=yes",
		"PrivateTmp=yes", "ProtectHome=yes", "CapabilityBoundingSet=\n", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
		"SystemCallFilter=@system-service", "KillSignal=SIGTERM", "usersync serve ", "Environment=USERSYNC_DB=/var/lib/usersync/usersync.db",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("the unit lacks %q", strings.TrimSpace(want))
		}
	}
	analyze := needTool(t, "systemd-analyze", "systemd")
	// verify checks that ExecStart's program exists: point it at a stand-in.
	dir := t.TempDir()
	stub := filepath.Join(dir, "usersync")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(body string) string {
		p := filepath.Join(dir, "usersync.service")
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(body, "/usr/local/bin/usersync", stub)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	verify := func(path string) (string, error) {
		out, err := exec.Command(analyze, "verify", path).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	// The check can fail: a misspelt value is reported.
	if out, _ := verify(write(strings.Replace(unit, "ProtectSystem=strict", "ProtectSystem=strickt", 1))); !strings.Contains(out, "strickt") {
		t.Fatalf("systemd-analyze verify did not report a bad value: %q", out)
	}
	path := write(unit)
	if out, err := verify(path); err != nil || out != "" {
		t.Fatalf("systemd-analyze verify dist/usersync.service: %v\n%s", err, out)
	}
	out, err := exec.Command(analyze, "security", "--offline=true", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for usersync.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security printed no exposure level:\n%s", out)
	}
	if level, _ := strconv.ParseFloat(string(m[1]), 64); level > 2.0 {
		t.Errorf("exposure level %.1f, want at most 2.0:\n%s", level, out)
	} else {
		t.Logf("systemd-analyze security: exposure %.1f", level)
	}
}

// TestContainerfile: dist/Containerfile builds a static binary (no cgo,
// -trimpath) into an empty image that runs as a non-root user, keeps its
// state in the /data volume so the root filesystem may be read-only, and
// checks /healthz with the binary itself. Where a container engine works,
// the image is built; where none does, the test says so.
func TestContainerfile(t *testing.T) {
	cf := distFile(t, "Containerfile")
	stages := strings.Split(cf, "\nFROM ")
	final := stages[len(stages)-1]
	checks := []struct {
		what string
		ok   bool
	}{
		{"a static build (CGO_ENABLED=0)", strings.Contains(cf, "CGO_ENABLED=0 go build")},
		{"a -trimpath build", strings.Contains(cf, "-trimpath")},
		{"an empty final image", strings.HasPrefix(final, "scratch")},
		{"no RUN in the final image (it has no shell)", !strings.Contains(final, "\nRUN ")},
		{"a non-root USER", regexp.MustCompile(`(?m)^USER [1-9][0-9]*:[1-9][0-9]*$`).MatchString(final)},
		{"state in the /data volume", strings.Contains(final, `VOLUME ["/data"]`) && strings.Contains(final, "USERSYNC_DB=/data/")},
		{"a HEALTHCHECK on /healthz", regexp.MustCompile(`(?s)HEALTHCHECK .*CMD \["/usersync", "health", "--url", "http://127\.0\.0\.1:9464/healthz"\]`).MatchString(final)},
		{"CA certificates for LDAPS", strings.Contains(final, "ca-certificates.crt")},
		{"serve as the command", strings.Contains(final, `CMD ["serve"`)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("dist/Containerfile lacks %s", c.what)
		}
	}
	engine := ""
	for _, name := range []string{"docker", "podman", "buildah"} {
		if p, err := exec.LookPath(name); err == nil {
			if out, err := exec.Command(p, "info").CombinedOutput(); err == nil {
				engine = p
				break
			} else {
				t.Logf("%s is installed but cannot build here: %s", name, lastLine(string(out)))
			}
		}
	}
	if engine == "" {
		t.Log("NOT BUILT: no working container engine (docker, podman or buildah) on this machine; only the file's content was checked")
		return
	}
	args := []string{"build", "-f", filepath.Join("..", "..", "dist", "Containerfile"), "-t", "usersync:test", filepath.Join("..", "..")}
	if filepath.Base(engine) == "buildah" {
		args = append([]string{"bud"}, args[1:]...)
	}
	if out, err := exec.Command(engine, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s build: %v\n%s", engine, err, out)
	}
	t.Logf("built the image with %s", engine)
}

// TestHealthCommand: `usersync health` exits 0 when /healthz answers 200,
// 1 when it answers otherwise or nobody listens, and 2 for a bad --url.
func TestHealthCommand(t *testing.T) {
	healthy := httptest.NewServer(ops.Healthz())
	defer healthy.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer sick.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	c := newCLI(t)
	tests := []struct {
		url  string
		want int
	}{
		{healthy.URL + "/healthz", exitOK},
		{sick.URL + "/healthz", exitFailed},
		{goneURL + "/healthz", exitFailed},
		{"ftp://127.0.0.1/healthz", exitUsage},
		{"127.0.0.1:9464", exitUsage},
	}
	for _, tt := range tests {
		if out, code := c.run("health", "--url", tt.url); code != tt.want {
			t.Errorf("health --url %s: exit %d (%q), want %d", tt.url, code, out, tt.want)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
