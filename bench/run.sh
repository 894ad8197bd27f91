#!/usr/bin/env bash
# `make bench`: time sweep's first scan and unchanged re-scan beside find on generated trees,
# measure peak memory, and write the markdown to bench-out/scan.md (make bench puts it into BENCHMARKS.md).
# Environment: BENCH_SIZES (files per tree, default "100000 300000"), BENCH_RUNS (default 5), BENCH_WARMUP (default 1),
# BENCH_DIR (trees and indexes, default /tmp/sweep-bench; trees are kept for the next run), BENCH_OUT (the markdown
# file, default bench-out/scan.md; `make bench-large` runs 100,000 and 1,000,000 files into bench-out/scan-large.md),
# BENCH_TITLE (added to the section's heading).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${BENCH_SIZES:-"100000 300000"}
runs=${BENCH_RUNS:-5}
warmup=${BENCH_WARMUP:-1}
out=${BENCH_OUT:-bench-out/scan.md}
dir=${BENCH_DIR:-/tmp/sweep-bench}
sweep=$PWD/.build/release/sweep
[[ -x $sweep ]] || { echo "bench: $sweep is missing; run make release" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir" bench-out

# Peak resident memory (KB) of one scan into $tmp/$1; exit 1 (unreadable items) is a finished scan.
peak_rss() {
  local out=$1; shift
  local rc=0
  /usr/bin/time -f '%M' -o "$out" "$@" || rc=$?
  ((rc <= 1)) || { echo "bench: sweep exited $rc: $*" >&2; exit 2; }
}

for n in $sizes; do
  root=$dir/tree-$n
  idx=$dir/index-$n.db
  python3 bench/make_tree.py "$root" "$n"
  q_root=$(printf %q "$root")
  q_idx=$(printf %q "$idx")
  scan="$sweep scan $q_root --index $q_idx --quiet"

  # Memory first: it also checks that sweep runs at all, which hyperfine -i would hide.
  rm -f "$idx" "$idx-wal" "$idx-shm"
  peak_rss "$tmp/$n-first.rss" "$sweep" scan "$root" --index "$idx" --quiet
  peak_rss "$tmp/$n-rescan.rss" "$sweep" scan "$root" --index "$idx" --quiet

  # hyperfine runs the commands in order, one --prepare each: the first scan starts from no index
  # every run, and the re-scan then finds the index its last run left (nothing has changed).
  hyperfine -i --warmup "$warmup" --runs "$runs" \
    --export-json "$tmp/$n.json" --export-markdown "$tmp/$n.md" \
    --prepare true --prepare "rm -f $q_idx $q_idx-wal $q_idx-shm" --prepare true \
    -n find "find $q_root -printf '%s %T@ %i\n' > /dev/null" \
    -n "first scan" "$scan" \
    -n "unchanged re-scan" "$scan"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "## Scan beside find${BENCH_TITLE:+: $BENCH_TITLE}"
  echo
  echo "Wall time of \`sweep scan\` (release build) on generated council-share-like trees of small files"
  echo "(bench/make_tree.py), beside \`find ROOT -printf '%s %T@ %i\n'\` as the reference walk: the first"
  echo "scan into an empty index, and an unchanged re-scan into the index a first scan left. Timed with"
  echo "hyperfine ($warmup warmup, $runs runs; mean ± standard deviation); peak memory is the maximum resident set"
  echo "size of one first scan and one re-scan, from \`/usr/bin/time -f %M\`. Caches are warm: the tree was"
  echo "just written or walked, and no cache is dropped between runs."
  echo
  echo "- Produced by: \`BENCH_SIZES=\"$sizes\" BENCH_RUNS=$runs BENCH_WARMUP=$warmup BENCH_DIR=$dir BENCH_OUT=$out bench/run.sh\`"
  echo "- Date: $(date -u)"
  echo "- Machine: $(nproc) cores, $cpu, Linux $(uname -r)"
  echo "- Sweep commit: $(git describe --always --dirty --abbrev=12)"
  echo
  python3 - "$tmp" $sizes <<'EOF'
import json, sys
tmp, sizes = sys.argv[1], sys.argv[2:]
ratios, peaks, firsts = [], [], []
for n in sizes:
    find, first, rescan = json.load(open(f"{tmp}/{n}.json"))["results"]
    mb = [int(open(f"{tmp}/{n}-{k}.rss").read().split()[-1]) / 1024 for k in ("first", "rescan")]
    ratio = rescan["mean"] / find["mean"]
    ratios.append(ratio)
    peaks.append(mb)
    firsts.append(first["mean"])
    ms = lambda r: f"{r['mean'] * 1000:.1f} ± {(r['stddev'] or 0) * 1000:.1f}"
    print(f"### {int(n):,} files\n")
    print("| Command | Mean ± sd (ms) | × find | Peak RSS (MB) |")
    print("|---|---:|---:|---:|")
    print(f"| find (reference) | {ms(find)} | 1.00 | – |")
    print(f"| first scan | {ms(first)} | {first['mean'] / find['mean']:.2f} | {mb[0]:.1f} |")
    print(f"| unchanged re-scan | {ms(rescan)} | {ratio:.2f} | {mb[1]:.1f} |")
    print(f"\nhyperfine's own table:\n\n{open(f'{tmp}/{n}.md').read()}")
met = lambda ok: "**met**" if ok else "**not met**"
print("### Goals\n")
print(f"- Unchanged re-scan ≤ 1.5× find: {met(max(ratios) <= 1.5)} "
      f"(re-scan/find {', '.join(f'{r:.2f}' for r in ratios)} for {', '.join(sizes)} files).")
if len(sizes) < 2:
    print("- Peak memory flat as the tree grows: not judged (needs two sizes).")
else:
    order = sorted(range(len(sizes)), key=lambda i: int(sizes[i]))
    lo, hi = order[0], order[-1]
    growth = [big / small for small, big in zip(peaks[lo], peaks[hi])]
    print(f"- Peak memory flat as the tree grows (largest tree within 1.25× the smallest's peak RSS): "
          f"{met(max(growth) <= 1.25)} (first scan {growth[0]:.2f}×, re-scan {growth[1]:.2f}× "
          f"from {sizes[lo]} to {sizes[hi]} files).")
    scale = int(sizes[hi]) / int(sizes[lo])
    took = firsts[hi] / firsts[lo]
    print(f"- First scan time linear in the tree (largest within 1.1× its share of the smallest's time, "
          f"{1.1 * scale:.1f}× for {scale:.0f}× the files): {met(took <= 1.1 * scale)} ({took:.2f}×).")
EOF
} > "$tmp/scan.md"
mv "$tmp/scan.md" "$out"
echo "bench: wrote $out"
