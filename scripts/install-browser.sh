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
command -v apt-get >/dev/null 2>&1 || fail "Chromium is missing and there is no apt-get here: $manual"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    sudo="sudo -n"
  else
    fail "Chromium is missing and installing it needs root (not root, no passwordless sudo): $manual"
  fi
fi
echo "install-browser: installing Debian's chromium with apt-get"
$sudo apt-get update -qq || fail "apt-get update failed: $manual"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || fail "apt-get install chromium failed: $manual"
[ -x /usr/bin/chromium ] || fail "apt-get installed chromium but /usr/bin/chromium is missing: $manual"
echo "install-browser: chromium at /usr/bin/chromium"
