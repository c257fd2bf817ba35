#!/usr/bin/env bash
# linux.sh builds dist/caravan-VERSION-linux-ARCH.tar.xz: the release binary, the menu entry
# (.desktop) and the icon, with a Makefile whose `make install` puts them under ~/.local (or
# PREFIX) and whose `make uninstall` takes them away again (packaging/linux/Makefile).
#
# `fyne package -os linux` builds the binary and writes the .desktop file; its own tarball is
# unpacked and laid out again because its Makefile does not fit: its `install` defaults to
# /usr/local (root needed) and leaves `Exec=caravan` to be found on PATH, and its
# `user-install` ignores PREFIX and puts the icon outside any icon theme.
. "$(dirname "$0")/lib.sh"
ensure_fyne

arch=$(go env GOARCH)
pkg=caravan-$VERSION-linux-$arch
export XZ_OPT=${XZ_OPT:--6 -T0} # both tarballs compress on every core
new_stage
(cd "$STAGE" && fyne_package --os linux)

mkdir "$STAGE/fyne"
tar -xJf "$STAGE/$APP_NAME.tar.xz" -C "$STAGE/fyne"
from() { # the one file fyne's tarball has at */$1
	local f
	f=$(find "$STAGE/fyne" -path "*/$1")
	[ -n "$f" ] && [ "$(printf '%s\n' "$f" | wc -l)" -eq 1 ] || { echo "fyne's tarball has no single */$1" >&2; exit 1; }
	printf '%s\n' "$f"
}
out=$STAGE/$pkg
install -Dm755 "$(from bin/caravan)" "$out/bin/caravan"
install -Dm644 "$(from "share/applications/$APP_ID.desktop")" "$out/share/applications/$APP_ID.desktop"
install -Dm644 "$(from "share/pixmaps/$APP_ID.png")" "$out/share/icons/hicolor/512x512/apps/$APP_ID.png"
install -Dm644 packaging/linux/Makefile "$out/Makefile"

mkdir -p "$DIST"
tar --owner=0 --group=0 --numeric-owner -C "$STAGE" -cJf "$DIST/$pkg.tar.xz" "$pkg"
echo "built $(realpath --relative-to="$root" "$DIST/$pkg.tar.xz"), holding:"
(cd "$STAGE" && find "$pkg" -type f -exec ls -l {} + | awk '{ print $1, $5, $NF }')
