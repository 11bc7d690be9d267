#!/usr/bin/env bash
# Installs kubernetes-validate (PyPI: JSON schemas of the Kubernetes API, validated offline) into the
# project's venv, .tools/bin/kubernetes-validate, for test/deploy/kubernetes.test.ts, which checks the
# manifests under deploy/kubernetes. Run before `npm test`; idempotent, a no-op when the pinned version is there.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/pypi-tools.sh
. scripts/pypi-tools.sh
install_pypi_tools install-kubernetes-validate .tools/installed-kubernetes-validate "kubernetes-validate==1.34.1" kubernetes-validate
echo "install-kubernetes-validate: .tools/bin/kubernetes-validate $(.tools/bin/kubernetes-validate --version 2>/dev/null | head -1)"
