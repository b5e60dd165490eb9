#!/usr/bin/env bash
# release.sh builds the release binaries: linux/amd64, linux/arm64,
# darwin/arm64 and windows/amd64, static (CGO_ENABLED=0) and with -trimpath
# so that no local path is in them, two at a time (CI has two cores). The
# version, VCS revision and time come from Go's build information, so the
# build keeps VCS stamping on. ci/test.sh runs it; by itself:
#   bash ci/release.sh [OUTDIR]        (default dist/release)
# It prints how long it took, and checks that the linux/amd64 binary
# answers --version with the revision being built.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/release}
mkdir -p "$out"
start=$(date +%s)
targets=(linux/amd64 linux/arm64 darwin/arm64 windows/amd64)

build() {
	local os=${1%/*} arch=${1#*/} ext=""
	[[ $os == windows ]] && ext=.exe
	GOOS=$os GOARCH=$arch CGO_ENABLED=0 GOFLAGS=-buildvcs=auto \
		go build -trimpath -ldflags="-s -w" -o "$out/usersync-$os-$arch$ext" ./cmd/usersync
}
export -f build
export out
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'build {}'

# The binary for this machine must tell which commit it was built from.
if [[ $(go env GOOS)/$(go env GOARCH) == linux/amd64 ]]; then
	v=$("$out/usersync-linux-amd64" --version)
	echo "release: $v"
	# Go stamps the revision only when .git is a directory: in a git
	# worktree (where .git is a file) the binary says just (devel).
	if [[ -d .git ]] && rev=$(git rev-parse --short=12 HEAD 2>/dev/null) && [[ $v != *"($rev"* ]]; then
		echo "release: --version does not name the revision $rev" >&2
		exit 1
	elif [[ -f .git ]]; then
		echo "release: a git worktree: Go records no VCS revision here, so --version says (devel)"
	fi
fi
(cd "$out" && sha256sum usersync-* >SHA256SUMS)
ls -l "$out"
echo "release: ${#targets[@]} binaries in $(( $(date +%s) - start ))s"
