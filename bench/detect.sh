#!/usr/bin/env bash
# `make bench`, third part: detection throughput. Sweep's scan of DETECT_MB megabytes of plain text (every
# personal-data pattern and special-category keyword through Vectorscan, then the validators) beside
# ripgrep running the same pattern set over the same files, in one hyperfine run. Writes bench-out/detect.md.
# Environment: DETECT_MB (default 1024), BENCH_RUNS (default 3), BENCH_DIR (default /tmp/sweep-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

mb=${DETECT_MB:-1024}
runs=${BENCH_RUNS:-3}
dir=${BENCH_DIR:-/tmp/sweep-bench}
sweep=$PWD/.build/release/sweep
[[ -x $sweep ]] || { echo "detect: $sweep is missing; run make release" >&2; exit 2; }
command -v rg >/dev/null || { echo "detect: rg is missing; run scripts/setup ripgrep" >&2; exit 2; }
out=$PWD/bench-out
mkdir -p "$out" "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 bench/make_text.py "$dir/text-$mb" "$mb"
root=$(realpath "$dir/text-$mb")
idx=$dir/text-$mb.db

# The same patterns for ripgrep: every personal-data pattern ((?i) where the rule is caseless) and every
# keyword as a whole word, from the shipped rules.
python3 - "$tmp/patterns" <<'PY'
import re, sys, yaml
out = open(sys.argv[1], "w")
for t in yaml.safe_load(open("rules/personal-data.yaml"))["types"]:
    for p in t["patterns"]:
        out.write(("(?i)" if t.get("caseless") else "") + p + "\n")
for c in yaml.safe_load(open("rules/special-category.yaml"))["categories"]:
    for k in c["keywords"]:
        word = r"\s+".join(re.escape(w) for w in k.split())
        out.write(("(?i)" if k == k.lower() else "") + r"\b" + word + r"\b" + "\n")
PY
q_root=$(printf %q "$root"); q_idx=$(printf %q "$idx"); q_pat=$(printf %q "$tmp/patterns")
cat "$root"/*.txt > /dev/null   # warm cache

hyperfine -i --warmup 1 --runs "$runs" --export-json "$tmp/detect.json" \
  --prepare true --prepare true --prepare "rm -f $q_idx $q_idx-wal $q_idx-shm" \
  -n "ripgrep, same patterns" "rg -c --no-messages -f $q_pat $q_root > /dev/null" \
  -n "ripgrep, every match" "rg --count-matches --no-messages -f $q_pat $q_root > /dev/null" \
  -n "sweep scan (detection)" "$sweep scan $q_root --index $q_idx --quiet"

found=$("$sweep" findings --index "$idx" --format json | wc -l)
produced="- Produced by: \`DETECT_MB=$mb BENCH_RUNS=$runs BENCH_DIR=$dir bench/detect.sh\`
- Date: $(date -u)
- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)
- Sweep: commit $(git describe --always --dirty --abbrev=12)"
python3 - "$tmp/detect.json" "$mb" "$found" "$(rg --version | head -1)" "$produced" > "$tmp/detect.md" <<'PY'
import json, sys
rg, every, sw = json.load(open(sys.argv[1]))["results"]
mb, found, rgv, produced = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
ms = lambda r: f"{r['mean']:.2f} ± {r['stddev'] or 0:.2f}"
print("## Detection throughput\n")
print(f"{mb:,} MB of generated plain text (bench/make_text.py: 4 MiB files, a planted value or decoy every ~2 KB), "
      f"warm page cache. Sweep's full first scan into a new index each run (walk, type, fingerprints, text decode, Vectorscan (gated patterns over windows "
      f"around the bytes they need), validators, keyed hashes, index writes) beside `rg -c -f PATTERNS` with the same pattern set ({rgv}). "
      f"Sweep's compiled patterns come from its cache (`~/.cache/sweep`, filled by the warm-up run), as they do for any scan after the first with the same rules.\n")
print(produced + "\n")
print("| Command | Mean ± sd (s) | MB/s |")
print("|---|---:|---:|")
print(f"| ripgrep, same patterns | {ms(rg)} | {mb / rg['mean']:.0f} |")
print(f"| ripgrep, every match (`--count-matches`) | {ms(every)} | {mb / every['mean']:.0f} |")
print(f"| sweep scan (detection) | {ms(sw)} | {mb / sw['mean']:.0f} |")
ratio = rg["mean"] / sw["mean"]
print(f"\nGoal: throughput ≥ 1.0× ripgrep's. Sweep runs at **{ratio:.2f}×** ripgrep: "
      + ("**met**." if ratio >= 1.0 else "**not met**.")
      + f" Beside ripgrep finding every match, as Sweep must (`-c` stops at a line's first): {every['mean'] / sw['mean']:.2f}×.")
print(f"\nSweep found personal data or markings in {found} of the files.")
PY
mv "$tmp/detect.md" "$out/detect.md"
echo "detect: wrote bench-out/detect.md"
