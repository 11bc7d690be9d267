#!/usr/bin/env bash
# Refreshes the README's screenshots on purpose: runs the browser tests that take them with
# SCREENSHOTS_DIR pointing at docs/screenshots/ (test/support/screenshots.ts). `npm test` saves its
# screenshots to a temporary folder and leaves the tracked pictures alone.
# Usage: npm run screenshots                       every screenshot (01-24)
#        npm run screenshots -- test/api/admin/ui   only those of the given test files (jest patterns)
set -euo pipefail
cd "$(dirname "$0")/.."
export SCREENSHOTS_DIR="$PWD/docs/screenshots"
tests=(test/api/admin/ui/setup-walkthrough.test.ts test/api/admin/ui/sourcing.test.ts test/api/admin/ui/timeline.test.ts test/api/admin/ui/interview-schedule.test.ts test/api/admin/ui/backfill.test.ts test/api/admin/ui/dry-run.test.ts test/api/admin/ui/audit.test.ts test/api/admin/ui/team-sso.test.ts test/api/admin/ui/approval.test.ts test/api/admin/ui/assessment-review-settings.test.ts test/api/admin/ui/results-as.test.ts test/api/admin/ui/stopped-flow.test.ts test/dev/main.test.ts)
if [ "$#" -gt 0 ]; then tests=("$@"); fi
npx jest --runInBand "${tests[@]}"
echo "Screenshots refreshed in docs/screenshots/ (review them with: git status docs/screenshots)."
