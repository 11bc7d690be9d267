#!/usr/bin/env bash
# Rolls out a new version of the worker deployment (README "Upgrading workflows"): ramp, then current,
# then shows the old version's drainage. Start the new workers (WORKER_BUILD_ID=<new-build-id>) first.
# Usage: scripts/rollout-version.sh <new-build-id> [ramp-percent (default 10)] [ramp-seconds (default 300)]
# The Temporal CLI reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (and TLS/API key settings) from the environment.
set -euo pipefail
new="${1:?usage: $0 <new-build-id> [ramp-percent] [ramp-seconds]}"
percent="${2:-10}"
wait_seconds="${3:-300}"
deployment="${WORKER_DEPLOYMENT_NAME:-lever-codesignal}"
temporal="${TEMPORAL_CLI_PATH:-temporal}"

old="$("$temporal" worker deployment describe --name "$deployment" -o json | node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(d.routingConfig?.currentVersionBuildID ?? "")')"
echo "deployment $deployment: current ${old:-<none>}, rolling out $new"
[ "$old" = "$new" ] && { echo "$new is already current"; exit 0; }

"$temporal" worker deployment set-ramping-version --deployment-name "$deployment" --build-id "$new" --percentage "$percent" --yes
echo "ramping $percent% of new workflows to $new for ${wait_seconds}s (Ctrl-C to stop; undo: set-ramping-version --delete)"
sleep "$wait_seconds"
"$temporal" worker deployment set-current-version --deployment-name "$deployment" --build-id "$new" --yes
echo "$new is current; new workflows and candidates continuing as new run on it"

if [ -n "$old" ]; then
  echo "old version $old: stop its workers once its drainage status is DRAINED (workflows pinned to it have closed)"
  "$temporal" worker deployment describe-version --deployment-name "$deployment" --build-id "$old"
fi
