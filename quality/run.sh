#!/usr/bin/env bash
# Build the independent synthetic set, scan it with sweep, score the export. Always exits 0 (a measurement).
# Env: SWEEP_BIN (default .build/debug/sweep), SEED (1), COUNT (380 top-level files, ~600 items), KEEP=1 keeps the temp folder.
set -u
cd "$(dirname "$0")/.." || exit 0
BIN="${SWEEP_BIN:-.build/debug/sweep}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/sweep-quality.XXXXXX")"
trap '[ "${KEEP:-0}" = 1 ] && echo "kept $TMP" >&2 || rm -rf "$TMP"' EXIT
python3 quality/make_set.py "$TMP/set" --seed "${SEED:-1}" --count "${COUNT:-380}" || echo "make_set.py reported problems" >&2
start=$(date +%s.%N)
"$BIN" scan "$TMP/set/drive" --index "$TMP/q.db" --quiet > "$TMP/scan.out" 2>&1
rc=$?
end=$(date +%s.%N)
"$BIN" export --index "$TMP/q.db" --format jsonl -o "$TMP/q.jsonl" || echo "export failed" >&2
QUALITY_JSON="${QUALITY_JSON:-}" python3 quality/score.py "$TMP/set" "$TMP/q.jsonl" || echo "score.py failed" >&2
printf '\n## Scan\n\nExit code %s, %s s wall clock (binary %s). Its summary:\n\n```\n' "$rc" "$(python3 -c "print(round($end - $start, 1))")" "$BIN"
cat "$TMP/scan.out"; printf '```\n'
exit 0
