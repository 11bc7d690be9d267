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
# shellcheck source=scripts/debian-packages.sh
. "$(dirname "$0")/debian-packages.sh"
# --no-install-recommends: the server and promtool only; the package's service is never started here (no init system in CI)
install_debian_package install-prometheus prometheus "$manual" --no-install-recommends /usr/bin/prometheus /usr/bin/promtool
echo "install-prometheus: prometheus at /usr/bin/prometheus, promtool at /usr/bin/promtool"
