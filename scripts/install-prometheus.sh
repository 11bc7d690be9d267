#!/usr/bin/env bash
# Debian's Prometheus server and promtool, for the metrics test (a real server scrapes the service) and
# the alert-rule unit tests (`promtool test rules`). Run before `npm test`; a no-op when both are there.
# Installs the `prometheus` package with apt-get as root or with passwordless sudo, and otherwise says
# in one line what to do and exits non-zero. PROMETHEUS_PATH / PROMTOOL_PATH point at other binaries.
set -euo pipefail
fail() { echo "install-prometheus: $*" >&2; exit 1; }

prometheus="${PROMETHEUS_PATH:-/usr/bin/prometheus}"
promtool="${PROMTOOL_PATH:-/usr/bin/promtool}"
if [ -x "$prometheus" ] && [ -x "$promtool" ]; then
  echo "install-prometheus: prometheus at $prometheus, promtool at $promtool"
  exit 0
fi
[ -z "${PROMETHEUS_PATH:-}${PROMTOOL_PATH:-}" ] || fail "PROMETHEUS_PATH=${PROMETHEUS_PATH:-} / PROMTOOL_PATH=${PROMTOOL_PATH:-} is not an executable file"

manual="install Debian's prometheus package yourself (apt-get install prometheus) or set PROMETHEUS_PATH and PROMTOOL_PATH"
command -v apt-get >/dev/null 2>&1 || fail "Prometheus is missing and there is no apt-get here: $manual"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    sudo="sudo -n"
  else
    fail "Prometheus is missing and installing it needs root (not root, no passwordless sudo): $manual"
  fi
fi
echo "install-prometheus: installing Debian's prometheus with apt-get"
$sudo apt-get update -qq || fail "apt-get update failed: $manual"
# --no-install-recommends: the server and promtool only; the package's service is never started here (no init system in CI)
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null || fail "apt-get install prometheus failed: $manual"
[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] || fail "apt-get installed prometheus but /usr/bin/prometheus or /usr/bin/promtool is missing: $manual"
echo "install-prometheus: prometheus at /usr/bin/prometheus, promtool at /usr/bin/promtool"
