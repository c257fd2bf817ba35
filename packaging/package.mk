# Packaging, included by the top-level Makefile. Fyne's own `fyne package` (fyne.io/tools
# v1.7.4, installed into bin/tools) builds each package from FyneApp.toml; the scripts beside
# this file do the work, so a CI runner without GNU make (Windows) runs them directly.
#
#   make package-linux    dist/caravan-VERSION-linux-amd64.tar.xz (make install inside it)
#   make package-windows  dist/caravan-VERSION-windows-amd64.exe, cross-compiled with mingw-w64;
#                         signed when a certificate is given (packaging/sign-windows.sh):
#                         SIGN_PKCS12=file.p12 or SIGN_CERT=cert.pem SIGN_KEY=key.pem, and
#                         optionally SIGN_PASSWORD and SIGN_TIMESTAMP_URL
#   make package-darwin   dist/caravan-VERSION-macos-ARCH.zip holding Caravan.app; macOS only
#   make package-check    builds the Linux and Windows packages and proves them (packaging/check.sh)
#
# VERSION and BUILD come from FyneApp.toml; VERSION=X.Y.Z make package-… overrides the version.
# Kept to GNU make 3.81, the make macOS has.

PACKAGING_WINDOWS_DEBS := gcc-mingw-w64-x86-64
PACKAGING_CHECK_DEBS   := gcc-mingw-w64-x86-64 osslsigncode openssl file xz-utils

# packaging-debs installs the Debian packages named in $(1) that are missing, with sudo when not
# root, as `deps` does.
packaging-debs = missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi

package-linux: deps
	bash packaging/linux.sh

# osslsigncode is installed only when the package is to be signed.
package-windows:
	@$(call packaging-debs,$(PACKAGING_WINDOWS_DEBS) $(if $(SIGN_PKCS12)$(SIGN_CERT),osslsigncode))
	bash packaging/windows.sh

package-darwin:
	@[ "$$(uname -s)" = Darwin ] || { \
	  echo "make package-darwin builds Caravan.app with Apple's toolchain and runs on macOS only, not on $$(uname -s)." >&2; \
	  echo "Here, make package-linux or make package-windows; the macOS package is built by CI's macOS runner (.github/workflows/release.yml)." >&2; \
	  exit 1; }
	bash packaging/darwin.sh

# package-check builds the two packages one after the other (both run fyne in the source tree)
# and then proves them.
package-check: deps
	@$(call packaging-debs,$(PACKAGING_CHECK_DEBS))
	$(MAKE) --no-print-directory package-linux
	$(MAKE) --no-print-directory package-windows
	bash packaging/check.sh
