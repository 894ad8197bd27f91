#!/usr/bin/env bash
# The independent set as a test (run by `make test`): two drives, each checked against the goals of issue 15
# by quality/check.py. Exits 1 when a goal is missed; the full reports are kept in $TMPDIR for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for seed in 1 7; do
  metrics="$(mktemp "${TMPDIR:-/tmp}/sweep-quality-$seed.XXXXXX.json")"
  QUALITY_JSON="$metrics" SEED=$seed bash quality/run.sh > "${metrics%.json}.md" 2>&1
  python3 quality/check.py "$metrics" "quality seed $seed" || { status=1; echo "report: ${metrics%.json}.md"; }
done
exit $status
