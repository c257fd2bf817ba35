#!/usr/bin/env bash
# check.sh proves the packages that `make package-linux` and `make package-windows` built:
#  - the default version in app/cli/version.go is FyneApp.toml's;
#  - the .exe is a PE32+ GUI program with its resources (icon, manifest, version information);
#  - it signs with a throwaway self-signed certificate, both ways sign-windows.sh takes one, and
#    osslsigncode verifies the signatures against that certificate (and refuses the unsigned file);
#  - the Linux tarball's `make install` installs into a temporary PREFIX, and into ~/.local for
#    a temporary HOME, a menu entry whose Exec is the installed binary, which prints the version;
#    `make uninstall` removes every file again.
. "$(dirname "$0")/lib.sh"

passed=0
fail() {
	echo "package-check: FAIL: $*" >&2
	echo "package-check: $passed passed, 1 failed"
	exit 1
}
ok() {
	passed=$((passed + 1))
	echo "package-check: ok: $*"
}
new_stage
tmp=$STAGE

grep -q "^var version = \"$VERSION\"\$" app/cli/version.go ||
	fail "app/cli/version.go's default version is not FyneApp.toml's $VERSION"
ok "app/cli/version.go defaults to FyneApp.toml's version $VERSION"

# Windows.
exe=$DIST/caravan-$VERSION-windows-amd64.exe
[ -f "$exe" ] || fail "$exe is missing: run make package-windows"
kind=$(file -b "$exe")
case $kind in "PE32+ executable (GUI) x86-64"*) ok "file: $kind" ;; *) fail "file says $kind" ;; esac
x86_64-w64-mingw32-objdump -h "$exe" | grep -q ' \.rsrc ' || fail "the .exe has no resource section"
grep -aq "name=\"$APP_NAME\" type=\"win32\"" "$exe" || fail "the .exe has no application manifest"
ok "the .exe has a resource section with the application manifest"

if osslsigncode verify -in "$exe" >"$tmp/unsigned.log" 2>&1; then
	fail "osslsigncode verify accepts the unsigned .exe"
fi
openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 2 -subj "/CN=Caravan package-check" \
	-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$tmp/key.pem" -in "$tmp/cert.pem" -passout pass:throwaway \
	-out "$tmp/cert.p12"
cp "$exe" "$tmp/pem.exe"
cp "$exe" "$tmp/p12.exe"
SIGN_PKCS12= SIGN_CERT=$tmp/cert.pem SIGN_KEY=$tmp/key.pem SIGN_PASSWORD= \
	bash packaging/sign-windows.sh "$tmp/pem.exe" >/dev/null
SIGN_PKCS12=$tmp/cert.p12 SIGN_CERT= SIGN_PASSWORD=throwaway \
	bash packaging/sign-windows.sh "$tmp/p12.exe" >/dev/null
for s in pem p12; do
	osslsigncode verify -CAfile "$tmp/cert.pem" -in "$tmp/$s.exe" >"$tmp/verify-$s.log" 2>&1 ||
		{ cat "$tmp/verify-$s.log" >&2; fail "osslsigncode verify refuses the .exe signed from the $s file"; }
	grep -q "^Signature verification: ok" "$tmp/verify-$s.log" || fail "no 'Signature verification: ok' for $s"
done
ok "signed with a throwaway certificate (SIGN_CERT+SIGN_KEY and SIGN_PKCS12+SIGN_PASSWORD); osslsigncode verify: Signature verification: ok; the unsigned .exe is refused"

# Linux.
tarball=$DIST/caravan-$VERSION-linux-$(go env GOARCH).tar.xz
[ -f "$tarball" ] || fail "$tarball is missing: run make package-linux"
tar -xJf "$tarball" -C "$tmp"
pkgdir=$tmp/$(basename "$tarball" .tar.xz)
desktop=share/applications/$APP_ID.desktop
icon=share/icons/hicolor/512x512/apps/$APP_ID.png

# installed PREFIX checks that PREFIX holds the three files, a menu entry that starts the
# installed binary, and a binary that prints the version.
installed() {
	local prefix=$1
	[ -x "$prefix/bin/caravan" ] || fail "no $prefix/bin/caravan"
	[ -f "$prefix/$icon" ] || fail "no $prefix/$icon"
	grep -qx "Exec=\"$prefix/bin/caravan\"" "$prefix/$desktop" || fail "$prefix/$desktop: $(grep ^Exec "$prefix/$desktop")"
	grep -qx "Icon=$APP_ID" "$prefix/$desktop" || fail "$prefix/$desktop has no Icon=$APP_ID"
	if command -v desktop-file-validate >/dev/null; then
		desktop-file-validate "$prefix/$desktop" || fail "desktop-file-validate $prefix/$desktop"
	fi
	local v
	v=$("$prefix/bin/caravan" --version 2>/dev/null) || fail "$prefix/bin/caravan --version failed"
	[ "$v" = "caravan version $VERSION" ] || fail "$prefix/bin/caravan --version printed: $v"
	ok "make install into $prefix: $prefix/bin/caravan --version prints '$v'"
}
removed() {
	local prefix=$1 left
	left=$(find "$prefix" -type f)
	[ -z "$left" ] || fail "make uninstall left: $left"
	ok "make uninstall from $prefix removed every file"
}

make -s -C "$pkgdir" install PREFIX="$tmp/prefix" >/dev/null
installed "$tmp/prefix"
make -s -C "$pkgdir" uninstall PREFIX="$tmp/prefix" >/dev/null
removed "$tmp/prefix"

# The default PREFIX is the user's ~/.local.
mkdir "$tmp/home"
env -u PREFIX HOME="$tmp/home" make -s -C "$pkgdir" install >/dev/null
installed "$tmp/home/.local"
env -u PREFIX HOME="$tmp/home" make -s -C "$pkgdir" uninstall >/dev/null
removed "$tmp/home"

echo "package-check: $passed passed, 0 failed"
