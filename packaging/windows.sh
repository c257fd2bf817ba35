#!/usr/bin/env bash
# windows.sh builds dist/caravan-VERSION-windows-amd64.exe with `fyne package -os windows`: a
# GUI-subsystem executable with the icon, the application manifest and version information
# embedded as resources. On Linux it cross-compiles with mingw-w64 (CC=x86_64-w64-mingw32-gcc);
# on Windows (Git Bash on CI's runner) it uses the gcc on PATH. When a certificate is given it
# signs the result (see sign-windows.sh).
. "$(dirname "$0")/lib.sh"
ensure_fyne

if [ "$host" = Windows ]; then CC=${CC:-gcc}; else CC=${CC:-x86_64-w64-mingw32-gcc}; fi
export CC CGO_ENABLED=1 GOOS=windows GOARCH=amd64
command -v "$CC" >/dev/null || { echo "no C compiler $CC for cgo (Debian: apt-get install gcc-mingw-w64-x86-64)" >&2; exit 1; }

out=$DIST/caravan-$VERSION-windows-$GOARCH.exe
# fyne package v1.7.4, given no existing executable, builds the program twice for Windows (once
# plain, once with the resources) and the second build loses the -ldflags it took from GOFLAGS,
# so `caravan --version` would print the default. Given an existing --executable it builds once,
# with the resources and the flags, over that file: an empty file is enough. It writes the
# result as $APP_NAME.exe beside the sources.
placeholder=$root/caravan.exe
cleanup+=("rm -f '$placeholder' '$root/$APP_NAME.exe'")
: >"$placeholder"
new_stage
(cd "$STAGE" && fyne_package --os windows --executable "$(native_path "$placeholder")")
mkdir -p "$DIST"
mv "$root/$APP_NAME.exe" "$out"

if [ -n "${SIGN_PKCS12:-}${SIGN_CERT:-}" ]; then
	bash "$root/packaging/sign-windows.sh" "$out"
else
	echo "not signed: no SIGN_PKCS12 or SIGN_CERT given"
fi
echo "built $(realpath --relative-to="$root" "$out" 2>/dev/null || echo "$out")"
