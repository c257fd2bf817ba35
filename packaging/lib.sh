# lib.sh is sourced by the packaging scripts beside it (bash 3.2 or newer, so macOS's own bash
# runs it too). It moves to the repository root, reads FyneApp.toml and installs the fyne tool.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# meta prints a key's value from FyneApp.toml ([Details] holds the only Name, ID, Version, Build).
meta() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" FyneApp.toml | head -n 1; }

APP_NAME=$(meta Name)            # Caravan
APP_ID=$(meta ID)                # org.caravanp2p.caravan
VERSION=${VERSION:-$(meta Version)}
BUILD=$(meta Build)
DIST=${DIST:-$root/dist}
FYNE_VERSION=v1.7.4
TOOLS=$root/bin/tools
FYNE=$TOOLS/fyne

# The Windows host (Git Bash on a CI runner) names programs .exe and wants Windows paths.
host=$(uname -s)
case $host in MINGW* | MSYS* | CYGWIN*) host=Windows FYNE=$FYNE.exe ;; esac
native_path() { if [ "$host" = Windows ]; then cygpath -w "$1"; else printf '%s\n' "$1"; fi; }

# Everything the scripts leave behind on failure goes through on_exit.
cleanup=()
on_exit() { for c in "${cleanup[@]+"${cleanup[@]}"}"; do eval "$c"; done; }
trap on_exit EXIT

# ensure_fyne installs Fyne's packaging tool into bin/tools (GOBIN), for this host whatever
# GOOS the caller exports.
ensure_fyne() {
	local have=""
	[ -x "$FYNE" ] && have=$("$FYNE" version 2>/dev/null || true)
	case $have in *"cli version: $FYNE_VERSION"*) return ;; esac
	echo "installing fyne.io/tools/cmd/fyne@$FYNE_VERSION into bin/tools"
	GOOS= GOARCH= CC= GOBIN=$(native_path "$TOOLS") go install "fyne.io/tools/cmd/fyne@$FYNE_VERSION"
}

# fyne_package runs `fyne package` on the repository from the current directory, where it leaves
# its output: a release build with the sqlite_fts5 tag, the version linked into `caravan
# --version`. fyne package writes Build+1 back to FyneApp.toml after every run; the file is put
# back, so the tree stays clean and Build changes only by hand.
fyne_package() {
	local saved status=0
	saved=$(mktemp)
	cp "$root/FyneApp.toml" "$saved"
	restore="if [ -f '$saved' ]; then cp '$saved' '$root/FyneApp.toml'; rm -f '$saved'; fi"
	cleanup+=("$restore")
	# fyne passes -ldflags=… from GOFLAGS to go build; keep the GOFLAGS go env already has.
	GOFLAGS="$(go env GOFLAGS) -ldflags=-X=github.com/caravan-p2p/caravan/app/cli.version=$VERSION" \
		"$FYNE" package --src "$(native_path "$root")" --release --tags sqlite_fts5 \
		--app-version "$VERSION" --app-build "$BUILD" "$@" || status=$?
	eval "$restore"
	return $status
}

# new_stage sets STAGE to a new temporary directory, removed on exit.
new_stage() {
	STAGE=$(mktemp -d)
	cleanup+=("rm -rf '$STAGE'")
}
