#!/usr/bin/env bash
# sign-windows.sh FILE.exe signs a Windows executable in place (Authenticode, SHA-256) with
# osslsigncode. The certificate comes from the environment, either
#
#   SIGN_PKCS12=code-signing.p12            certificate chain and private key in one PKCS#12 (.pfx) file
# or
#   SIGN_CERT=chain.pem SIGN_KEY=key.pem    certificate chain (PEM, DER or SPC) and private key (PEM or DER)
#
# and optionally SIGN_PASSWORD (the password of the PKCS#12 file or of the key; handed to
# osslsigncode in a file, not on its command line) and SIGN_TIMESTAMP_URL (an RFC 3161
# time-stamping server, so the signature stays valid after the certificate expires; it needs the
# network).
set -euo pipefail
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 FILE.exe" >&2; exit 2; }
command -v osslsigncode >/dev/null || { echo "osslsigncode is missing (Debian: apt-get install osslsigncode)" >&2; exit 1; }

exe=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

args=(sign -h sha256 -n Caravan -i https://github.com/caravan-p2p/caravan)
if [ -n "${SIGN_PKCS12:-}" ]; then
	args+=(-pkcs12 "$SIGN_PKCS12")
elif [ -n "${SIGN_CERT:-}" ] && [ -n "${SIGN_KEY:-}" ]; then
	args+=(-certs "$SIGN_CERT" -key "$SIGN_KEY")
else
	echo "no certificate to sign with: set SIGN_PKCS12, or SIGN_CERT and SIGN_KEY" >&2
	exit 1
fi
if [ -n "${SIGN_PASSWORD:-}" ]; then
	(umask 077 && printf '%s' "$SIGN_PASSWORD" >"$tmp/pass")
	args+=(-readpass "$tmp/pass")
fi
if [ -n "${SIGN_TIMESTAMP_URL:-}" ]; then
	args+=(-ts "$SIGN_TIMESTAMP_URL")
fi

osslsigncode "${args[@]}" -in "$exe" -out "$tmp/signed.exe"
mv "$tmp/signed.exe" "$exe"
echo "signed $exe"
