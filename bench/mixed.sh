#!/usr/bin/env bash
# `make bench`, per-item part: on a mixed tree of ordinary council documents (bench/make_mixed_tree.py: Office
# files, PDFs, text, CSV, HTML, messages, mailboxes and zips, ~20% copies), time
#   - sweep's duplicate-only scan (fresh index, and unchanged re-run) beside jdupes, rdfind, rmlint and fdupes;
#   - sweep's unchanged full re-scan beside `find -printf`;
#   - sweep's first full scan (items per second, nested items included), once, with its peak memory;
# and write bench-out/mixed.md. Environment: MIXED_SIZE (files, default 20000), BENCH_RUNS (default 3),
# BENCH_DIR (tree and index, default /tmp/sweep-bench; the tree is kept for the next run).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${MIXED_SIZE:-20000}
runs=${BENCH_RUNS:-3}
dir=${BENCH_DIR:-/tmp/sweep-bench}
repo=$PWD
sweep=$repo/.build/release/sweep
[[ -x $sweep ]] || { echo "mixed: $sweep is missing; run make release" >&2; exit 2; }
for tool in jdupes rdfind rmlint fdupes hyperfine python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "mixed: $tool is missing; run scripts/setup hyperfine time python3 jdupes rdfind rmlint fdupes" >&2; exit 2; }
done
out=$PWD/bench-out
mkdir -p "$out" "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 bench/make_mixed_tree.py "$dir/mixed-$n" "$n"
root=$(realpath "$dir/mixed-$n")
facts=$root.facts.json
dupes_idx=$dir/mixed-$n-dupes.db
full_idx=$dir/mixed-$n-full.db
q_root=$(printf %q "$root")
q_dupes=$(printf %q "$dupes_idx")
q_full=$(printf %q "$full_idx")
drop() { echo "rm -f $1 $1-wal $1-shm $1.key $1.log-heads"; }
cd "$tmp"
find "$root" -type f -print0 | xargs -0 cat > /dev/null   # a warm page cache for every tool

# The first full scan, once (it takes tens of seconds): wall time, peak memory, and the items it holds.
eval "$(drop "$q_full")"
/usr/bin/time -f '%e %M' -o "$tmp/full.time" "$sweep" scan "$root" --index "$full_idx" --json > "$tmp/full.json" || [[ $? == 1 ]]
read -r full_s full_kb < "$tmp/full.time"
full_items=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["items"] + d.get("nested", 0))' "$tmp/full.json")

# The duplicate sweep beside the duplicate finders, and the unchanged full re-scan beside find.
declare -a names cmds prepares
names=(jdupes rdfind rmlint fdupes "sweep --dupes-only, fresh index" "sweep --dupes-only, unchanged re-run"
       "find -printf" "sweep scan, unchanged re-scan")
cmds=(
  "jdupes -r -q $q_root"
  "rdfind -dryrun true -makeresultsfile false $q_root"
  "rmlint -T df -o fdupes:$tmp/rmlint.out $q_root"
  "fdupes -r -q -n $q_root"
  "$sweep scan $q_root --index $q_dupes --quiet --dupes-only"
  "$sweep scan $q_root --index $q_dupes --quiet --dupes-only"
  "find $q_root -printf '%s %T@ %i\\n'"
  "$sweep scan $q_root --index $q_full --quiet"
)
prepares=(true true true true "$(drop "$q_dupes")" true true true)
for i in "${!cmds[@]}"; do
  eval "${prepares[$i]}"
  rc=0
  eval "/usr/bin/time -f %M -o $tmp/rss-$i ${cmds[$i]}" > /dev/null 2> "$tmp/err-$i" || rc=$?
  if ((rc > (i >= 4 ? 1 : 0))); then echo "mixed: '${cmds[$i]}' exited $rc:" >&2; tail -5 "$tmp/err-$i" >&2; exit 2; fi
done
args=()
for i in "${!cmds[@]}"; do args+=(--prepare "${prepares[$i]}" -n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -i --warmup 1 --runs "$runs" --export-json "$tmp/hyperfine.json" "${args[@]}"

# Correctness: sweep's duplicate sets are the generator's.
"$sweep" dupes --index "$dupes_idx" --format json > "$tmp/sets.json"
check=$(python3 - "$tmp/sets.json" "$facts" "$root" <<'EOF'
import json, sys
groups = json.load(open(sys.argv[1]))["groups"]
root = sys.argv[3]
got = sorted(sorted(m["path"][len(root) + 1:] for m in g["members"]) for g in groups)
want = json.load(open(sys.argv[2]))["expected_sets"]
print("equal" if got == want else f"DIFFERENT: {len(got)} sets found, {len(want)} expected")
EOF
)

python3 - "$tmp/hyperfine.json" "$tmp" "$facts" "$full_s" "$full_kb" "$full_items" "$check" "$n" "$runs" "$repo" > "$out/mixed.md" <<'EOF'
import json, os, platform, subprocess, sys, time
hf, tmp, facts, full_s, full_kb, full_items, check, n, runs, repo = sys.argv[1:]
results = json.load(open(hf))["results"]
facts = json.load(open(facts))
mean = {r["command"]: r["mean"] * 1000 for r in results}
sd = {r["command"]: (r["stddev"] or 0) * 1000 for r in results}
rss = [int(open(f"{tmp}/rss-{i}").read().split()[-1]) / 1024 for i in range(len(results))]
fastest = min(mean[k] for k in ["jdupes", "rdfind", "rmlint", "fdupes"])
jd, find = mean["jdupes"], mean["find -printf"]
commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()
print("## Per-item cost: a mixed tree of ordinary documents\n")
print(f"A tree of {facts['files']:,} valid files ({facts['bytes'] / 2**20:.0f} MB: Word and Excel files, PDFs, text, CSV, HTML, "
      f"messages, mailboxes and zips; {facts['copies']:,} of them copies, in {facts['sets']:,} duplicate sets) from "
      "bench/make_mixed_tree.py. Warm cache; hyperfine (1 warmup, "
      f"{runs} runs, mean ± sd); peak memory from `/usr/bin/time -f %M` of one run.\n")
print(f"- Produced by: `MIXED_SIZE={n} BENCH_RUNS={runs} bench/mixed.sh` (part of `make bench`)")
print(f"- Date: {time.strftime('%a %b %d %H:%M:%S %Z %Y')}")
print(f"- Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Linux {platform.release()}")
print(f"- Sweep commit: {commit}\n")
print("| Command | Mean ± sd (ms) | × fastest duplicate finder | × jdupes | × find | Peak RSS (MB) |")
print("|---|---:|---:|---:|---:|---:|")
for r, m in zip(results, rss):
    c = r["command"]
    print(f"| {c} | {mean[c]:.1f} ± {sd[c]:.1f} | {mean[c] / fastest:.2f} | {mean[c] / jd:.2f} | {mean[c] / find:.2f} | {m:.1f} |")
print(f"\nsweep's duplicate sets against the generator's: **{check}**.\n")
items = int(full_items)
print(f"First full scan (detection, retention, every file read, nested items included): **{items:,} items in "
      f"{float(full_s):.1f} s, {items / float(full_s):,.0f} items/s**, peak RSS {int(full_kb) / 1024:.1f} MB.\n")
print("Goals (issue: per-item cost): `--dupes-only` fresh ≤ 1.0× the fastest duplicate finder; its unchanged re-run ≤ 0.5× "
      "jdupes; unchanged full re-scan ≤ 1.5× find; first full scan ≥ 2,000 items/s.")
EOF
cat "$out/mixed.md"
