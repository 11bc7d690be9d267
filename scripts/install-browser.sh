#!/usr/bin/env bash
# Debian's Chromium for the browser tests (driven by playwright-core; no browser is ever downloaded).
# Run before `npm test`; a no-op when Chromium is there. Installs it with apt-get as root or with
# passwordless sudo, and otherwise says in one line what to do and exits non-zero.
set -euo pipefail
fail() { echo "install-browser: $*" >&2; exit 1; }

found=""
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"
  found="$CHROMIUM_PATH"
elif [ -x /usr/bin/chromium ]; then
  found=/usr/bin/chromium
fi
if [ -n "$found" ]; then
  echo "install-browser: chromium at $found"
  exit 0
fi

manual="install Debian's chromium package yourself (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary"
# shellcheck source=scripts/debian-packages.sh
. "$(dirname "$0")/debian-packages.sh"
install_debian_package install-browser chromium "$manual" "" /usr/bin/chromium
echo "install-browser: chromium at /usr/bin/chromium"
