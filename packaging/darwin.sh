#!/usr/bin/env bash
# darwin.sh builds dist/caravan-VERSION-macos-ARCH.zip holding Caravan.app (Info.plist with the
# app ID and version, icon.icns, the release binary) with `fyne package -os darwin`. It needs
# macOS and Apple's command line tools (cgo for the window system), so CI's macOS runner builds
# it. The app is not signed or notarised: Gatekeeper asks the user to confirm its first start.
. "$(dirname "$0")/lib.sh"
if [ "$host" != Darwin ]; then
	echo "darwin.sh builds Caravan.app with Apple's toolchain and runs on macOS only, not on $host" >&2
	exit 1
fi
ensure_fyne

arch=$(go env GOARCH)
new_stage
(cd "$STAGE" && fyne_package --os darwin)
mkdir -p "$DIST"
out=$DIST/caravan-$VERSION-macos-$arch.zip
rm -f "$out"
# ditto keeps the bundle's symlinks, modes and extended attributes, as Finder's Compress does.
ditto -c -k --keepParent "$STAGE/$APP_NAME.app" "$out"
echo "built $out"
